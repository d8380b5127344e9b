"""Action plan pages: the owner's plan (edited in place and autosaved), its printable page
and PDF, and the read-and-comment view for the facilitators of the owner's cohort.

Writes answer JSON to the autosave script (``Accept: application/json``) and redirect with a
message after a plain form post; a plain post with mistakes shows the page again with the
messages next to the fields and the text as typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from learning.access import signed_in
from learning.core.errors import render_error
from learning.core.writes import InvalidWrite, run_once
from learning.courses.catalogue import get_catalogue
from learning.db import db
from learning.plans import bp, export, services
from learning.plans.forms import (
    MALFORMED_FIELDS,
    UNREADABLE_KEY,
    AddItemForm,
    CommentForm,
    EditItemForm,
    function_labels,
    scope_ids,
    status_labels,
)
from learning.plans.models import ActionPlanItem

Answer = Response | tuple[Response, int] | str | tuple[str, int]


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _submitted() -> MultiDict[str, str]:
    """The posted fields, from a form body (plain or autosave) or a JSON object."""
    if not request.is_json:
        return request.form
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return MultiDict()
    return MultiDict({name: "" if value is None else str(value)
                      for name, value in payload.items()
                      if value is None or isinstance(value, str | int)})


def _first_error(form: FlaskForm) -> str:
    name, messages = next(iter(form.errors.items()))
    if name in MALFORMED_FIELDS:
        return str(messages[0])
    return _("%(field)s: %(error)s", field=form[name].label.text, error=messages[0])


def _refused(form: FlaskForm, show_again: Callable[[], str]) -> Answer:
    """JSON for the script; for a plain post, the page again with the messages, or a
    "bad request" page when the post cannot have come from it."""
    if _wants_json():
        return jsonify(ok=False, error=_first_error(form), errors=form.errors), 400
    if MALFORMED_FIELDS & form.errors.keys():
        return render_error(400, _first_error(form))
    return show_again()


def _language() -> str:
    return str(get_locale())


# --- the owner's plan -------------------------------------------------------------------------


def _add_form(unit_id: str) -> AddItemForm:
    return AddItemForm(formdata=None, data={"unit_id": unit_id, "key": uuid4().hex})


def _edit_form(item: ActionPlanItem) -> EditItemForm:
    return EditItemForm(formdata=None, obj=item, base_revision=item.revision)


def _plan_page(open_unit: str | None = None, failed_add: AddItemForm | None = None,
               failed_edit: tuple[int, EditItemForm] | None = None) -> str:
    language = _language()
    plan = services.plan_by_module(get_catalogue(), current_user, language)
    if failed_add is not None:
        open_unit = failed_add.unit_id.data
    add_forms = {}
    edit_forms = {}
    for module in plan:
        if module.unit is not None:
            unit_id = module.unit.id
            form = (failed_add if failed_add is not None and open_unit == unit_id
                    else _add_form(unit_id))
            if unit_id == open_unit:
                form.action.render_kw = {**(form.action.render_kw or {}), "autofocus": True}
            add_forms[unit_id] = scope_ids(form, f"add-{unit_id}")
        for item in module.items:
            edit = (failed_edit[1] if failed_edit is not None and failed_edit[0] == item.id
                    else _edit_form(item))
            edit_forms[item.id] = scope_ids(edit, f"item-{item.id}")
    return render_template(
        "plans/my_plan.html", plan=plan, add_forms=add_forms, edit_forms=edit_forms,
        open_unit=open_unit, comments=services.comments_on(current_user),
        status_labels=status_labels(), language=language)


@bp.get("/plan")
@signed_in
def my_plan() -> str:
    return _plan_page(open_unit=request.args.get("unit"))


@bp.post("/plan/items")
@signed_in
def create_item() -> Answer:
    form = AddItemForm(formdata=_submitted())
    if not form.validate():
        return _refused(form, lambda: _plan_page(failed_add=form))
    item, created = services.create_item(current_user, form.key.data, form.unit_id.data,
                                         form.values())
    db.session.commit()
    if _wants_json():
        answer = {**services.answer(item), "created": created,
                  "url": url_for("plans.update_item", item_id=item.id)}
        return jsonify(answer), 201 if created else 200
    flash(_("The action is added to your plan."), "success")
    return redirect(url_for("plans.my_plan", _anchor=f"item-{item.id}"))


@bp.post("/plan/items/<int:item_id>")
@signed_in
def update_item(item_id: int) -> Answer:
    item = services.own_item(current_user, item_id)
    if item is None:
        abort(404)
    submitted = _submitted()
    # Fields left out of the post keep their stored values.
    merged = MultiDict(services.stored_values(item))
    for name in submitted:
        merged.setlist(name, submitted.getlist(name))
    form = EditItemForm(formdata=merged)
    if not form.validate():
        return _refused(form, lambda: _plan_page(failed_edit=(item.id, form)))
    # The autosave script sends a key with every save and retries it until answered; a plain
    # form post is sent once by the browser and carries the whole item, so repeating it
    # changes nothing: it gets a key of its own here.
    key = submitted.get("key") or ("" if _wants_json() else uuid4().hex)
    try:
        result = run_once(current_user, key, "plan_item",
                          lambda: services.update_item(item, form.values(),
                                                       form.base_revision.data))
    except InvalidWrite:
        return jsonify(ok=False, error=str(UNREADABLE_KEY)), 400
    if _wants_json():
        return jsonify(result)
    if result["replaced_newer"]:
        flash(_("This text was also changed in another tab or device; this version is now "
                "the saved one."), "info")
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("plans.my_plan", _anchor=f"item-{item.id}"))


def _printable_plan() -> list[services.ModulePlan]:
    plan = services.plan_by_module(get_catalogue(), current_user, _language())
    return [module for module in plan if module.items]


@bp.get("/plan/print")
@signed_in
def print_plan() -> str:
    return render_template("plans/print.html", plan=_printable_plan(), owner=current_user,
                           today=date.today(), function_labels=function_labels(),
                           status_labels=status_labels(), language=_language())


@bp.get("/plan.pdf")
@signed_in
def plan_pdf() -> Response:
    document = export.plan_pdf(current_user.name or current_user.email, _printable_plan(),
                               _language(), date.today())
    return Response(document, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="action-plan.pdf"'})


# --- a participant's plan, for the facilitators of their cohort -------------------------------


def _access_or_404(cohort_id: int, user_id: int) -> services.PlanAccess:
    access = services.plan_access(current_user, cohort_id, user_id)
    if access is None:
        abort(404)
    return access


def _comment_form(item_id: int | None) -> CommentForm:
    form = CommentForm(formdata=None, data={"item_id": item_id, "key": uuid4().hex})
    return scope_ids(form, f"comment-{item_id or 'plan'}")


def _participant_page(access: services.PlanAccess, failed: CommentForm | None = None) -> str:
    language = _language()
    plan = [module for module in services.plan_by_module(get_catalogue(), access.owner, language)
            if module.items]
    comment_forms: dict[int | None, CommentForm] = {}
    if access.may_comment:
        item_ids = [None, *(item.id for module in plan for item in module.items)]
        comment_forms = {item_id: _comment_form(item_id) for item_id in item_ids}
        if failed is not None and failed.item_id.data in comment_forms:
            comment_forms[failed.item_id.data] = scope_ids(
                failed, f"comment-{failed.item_id.data or 'plan'}")
    return render_template(
        "plans/participant_plan.html", access=access, plan=plan,
        comments=services.comments_on(access.owner), comment_forms=comment_forms,
        function_labels=function_labels(), status_labels=status_labels(), language=language)


@bp.get("/cohorts/<int:cohort_id>/participants/<int:user_id>/plan")
@signed_in
def participant_plan(cohort_id: int, user_id: int) -> str:
    return _participant_page(_access_or_404(cohort_id, user_id))


@bp.post("/cohorts/<int:cohort_id>/participants/<int:user_id>/plan/comments")
@signed_in
def add_comment(cohort_id: int, user_id: int) -> Answer:
    access = _access_or_404(cohort_id, user_id)
    if not access.may_comment:
        abort(404)
    form = CommentForm()
    if not form.validate():
        return _refused(form, lambda: _participant_page(access, failed=form))
    item = None
    if form.item_id.data is not None:
        item = services.own_item(access.owner, form.item_id.data)
        if item is None:
            abort(404)
    anchor = f"item-{item.id}" if item else "comments"
    link = current_app.config["BASE_URL"] + url_for("plans.my_plan", _anchor=anchor)
    # A double-clicked or resent comment is stored, and announced, once.
    run_once(current_user, form.key.data, "plan_comment",
             lambda: services.add_comment(current_user, access.owner, item,
                                          form.body.data or "", link))
    flash(_("Your comment is added and %(name)s is notified.", name=access.owner.name),
          "success")
    return redirect(url_for("plans.participant_plan", cohort_id=cohort_id, user_id=user_id,
                            _anchor=anchor))
