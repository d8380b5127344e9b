"""Country roll-out plan pages: the plan (edited by its country team), its rows, the review
by the country's focal points, the version history, and the printable page, PDF and XLSX.

Every plan URL names the cohort and the country; ``country_services.plan_access`` decides
what the viewer may do, and anything outside their scope is "not found". Saves answer JSON
to the autosave script (``Accept: application/json``) and redirect with a message after a
plain post; a stale save is answered 409 with the comparison (a page, or JSON for the
script), and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import uuid4

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from learning.access import signed_in
from learning.audit.services import record
from learning.core.errors import render_error
from learning.core.writes import InvalidWrite, run_once
from learning.db import db, write_intent
from learning.plans import bp, country_export, country_review, timeline
from learning.plans import country_labels as labels
from learning.plans import country_services as services
from learning.plans import country_versions as versions
from learning.plans.country_forms import (
    MALFORMED_FIELDS,
    SECTION_FORMS,
    ActivityForm,
    BudgetLineForm,
    RemoveForm,
    ReviewForm,
    RiskForm,
    RowForm,
    SubmitForm,
)
from learning.plans.country_models import CountryPlan
from learning.plans.forms import scope_ids
from learning.plans.money import country_currencies, format_money

Answer = Response | tuple[Response, int] | str | tuple[str, int]
PLAN = "/cohorts/<int:cohort_id>/countries/<country_code>/plan"

INVALID_VALUES = {
    "dependency_gone": lambda: _("An activity you chose was removed from the plan since you "
                                 "opened the page. Choose again."),
    "dependency_loop": lambda: _("These activities would wait for each other: an activity "
                                 "cannot wait for itself, even through others."),
    "activity_gone": lambda: _("The activity you chose was removed from the plan since you "
                               "opened the page. Choose again."),
}
REVIEW_REFUSALS = {
    "decision": lambda: _("Choose what to do with the plan."),
    "not_submitted": lambda: _("The plan is not waiting for a review any more: it can only "
                               "be commented on."),
    "comment_needed": lambda: _("Write at least one comment: say what the team should "
                                "change."),
    "unchanged": lambda: _("The plan has not changed since it was approved: there is "
                           "nothing new to review."),
}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _language() -> str:
    return str(get_locale())


def _access(cohort_id: int, country_code: str) -> services.PlanAccess:
    access = services.plan_access(current_user, cohort_id, country_code)
    if access is None:
        abort(404)
    return access


def _plan(cohort_id: int, country_code: str) -> tuple[services.PlanAccess, CountryPlan]:
    access = _access(cohort_id, country_code)
    if access.plan is None:
        abort(404)
    return access, access.plan


def _editor(cohort_id: int, country_code: str) -> tuple[services.PlanAccess, CountryPlan]:
    access, plan = _plan(cohort_id, country_code)
    if not access.may_edit:
        abort(404)
    return access, plan


def _url(access: services.PlanAccess, endpoint: str = "plans.country_plan",
         **values: Any) -> str:
    return url_for(endpoint, cohort_id=access.cohort.id, country_code=access.country_code,
                   **values)


def _absolute(access: services.PlanAccess, endpoint: str = "plans.country_plan") -> str:
    return current_app.config["BASE_URL"] + _url(access, endpoint)


def _names(names: list[str]) -> str:
    return ", ".join(name for name in names if name) or _("Someone")


def _first_error(form: FlaskForm) -> str:
    name, messages = next(iter(form.errors.items()))
    if name in MALFORMED_FIELDS:
        return str(messages[0])
    return _("%(field)s: %(error)s", field=form[name].label.text, error=messages[0])


def _refused(form: FlaskForm, show_again: Callable[[], Answer]) -> Answer:
    """JSON for the script; for a plain post, the page again with the messages, or a "bad
    request" page when the post cannot have come from our page."""
    if _wants_json():
        return jsonify(ok=False, error=_first_error(form), errors=form.errors), 400
    if MALFORMED_FIELDS & form.errors.keys():
        return render_error(400, _first_error(form))
    return show_again()


def _key(form: FlaskForm | None = None) -> str:
    """The idempotency key: the form's, the autosave script's, or one of its own for a
    plain post (sent once by the browser, and harmless to repeat: see country_versions)."""
    if form is not None and "key" in form:
        return form["key"].data or ""
    return request.form.get("key") or ("" if _wants_json() else uuid4().hex)


def _locked(access: services.PlanAccess) -> Answer:
    message = _("The plan is with the focal point for review: it can be changed again once "
                "they return it or approve it.")
    if _wants_json():
        return jsonify(ok=False, error=message), 409
    flash(message, "error")
    return redirect(_url(access))


def _saved(access: services.PlanAccess, result: dict[str, Any], message: str,
           anchor: str) -> Answer:
    if _wants_json():
        return jsonify(result)
    flash(message, "success")
    return redirect(_url(access, _anchor=anchor))


def _write(access: services.PlanAccess, plan: CountryPlan, form: FlaskForm, kind: str,
           write: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], Answer],
           again: Callable[[], Answer]) -> Answer:
    """Run one save once per key and answer it: saved, stale, locked or refused."""
    try:
        result = run_once(current_user, _key(form), kind, write)
    except InvalidWrite:
        return render_error(400, _("This save could not be identified. Reload the page and "
                                   "try again."))
    except services.PlanLocked:
        db.session.rollback()
        return _locked(access)
    except services.BadVersion:
        db.session.rollback()
        return render_error(400, _("This save names a version of the plan that does not "
                                   "exist. Reload the page and try again."))
    except services.RowGone:
        db.session.rollback()
        abort(404)
    except versions.StaleEdit as stale:
        db.session.rollback()
        return _conflict(access, plan, stale, form)
    except services.InvalidPlanValue as invalid:
        db.session.rollback()
        message = INVALID_VALUES[invalid.code]()
        if _wants_json():
            return jsonify(ok=False, error=message), 400
        flash(message, "error")
        # The page comes back with the message, and the answer says it was refused.
        refused = make_response(again())
        refused.status_code = 400
        return refused
    return done(result)


def _conflict(access: services.PlanAccess, plan: CountryPlan, stale: versions.StaleEdit,
              form: FlaskForm | None) -> Answer:
    """Nothing was saved: the editor sees what changed since their version, and may send
    theirs again from the version they now see (a choice made knowingly)."""
    names = _names(stale.authors)
    if _wants_json():
        clashes = versions.readable_clashes(stale)
        error = _("Not saved: %(names)s changed this part of the plan after you opened it. "
                  "Your text is still here: press “Save” to see both versions and choose.",
                  names=names)
        return jsonify(ok=False, error=error, conflict={
            "seen_version": stale.seen_version, "current_version": stale.current_version,
            "authors": stale.authors,
            "fields": [{"section": c.section_label, "row": c.row_label, "field": c.field_label,
                        "seen": c.seen, "saved": c.saved, "yours": c.yours} for c in clashes],
        }), 409
    row_gone = any(clash.name is None and clash.saved is None for clash in stale.clashes)
    form_kind = None
    if form is not None and not row_gone:
        form.base_revision.data = stale.current_version
        form.base_revision.raw_data = None  # shown instead of ``data`` when set
        form_kind = ("remove" if isinstance(form, RemoveForm) else
                     "submit" if isinstance(form, SubmitForm) else "edit")
        if "key" in form:  # a new key: sending the form again is a new decision
            form["key"].data = uuid4().hex
    return render_template(
        "plans/country/conflict.html", access=access, plan=plan, stale=stale, names=names,
        clashes=versions.readable_clashes(stale), row_gone=row_gone,
        changes=versions.readable(stale.changes, stale.seen, stale.current),
        form=scope_ids(form, "yours") if form_kind else None, form_kind=form_kind,
        action=request.path), 409


# --- the list and the plan page ------------------------------------------------------------


@bp.get("/country-plans")
@signed_in
def country_plans() -> str:
    return render_template("plans/country/index.html",
                           rows=services.visible_plans(current_user),
                           status_labels=labels.texts(labels.PLAN_STATUS))


def _activity_choices(details: services.PlanDetails,
                      without: int | None = None) -> list[tuple[int, str]]:
    return [(activity.id, activity.title) for activity in details.activities
            if activity.id != without]


def _preferred_currencies(access: services.PlanAccess, details: services.PlanDetails
                          ) -> list[str]:
    used = [line.currency for line in reversed(details.lines)]
    return [*used, *country_currencies(access.country_code), "USD", "EUR"]


def _fresh_forms(access: services.PlanAccess, details: services.PlanDetails
                 ) -> dict[str, FlaskForm]:
    plan = details.plan
    currencies = _preferred_currencies(access, details)
    forms: dict[str, FlaskForm] = {
        section: form_class(formdata=None, obj=plan, base_revision=plan.version)
        for section, form_class in SECTION_FORMS.items()}
    forms["activity"] = ActivityForm(
        formdata=None, data={"key": uuid4().hex, "status": "planned"},
        others=_activity_choices(details)).for_adding()
    forms["budget"] = BudgetLineForm(
        formdata=None, data={"key": uuid4().hex, "currency": currencies[0]},
        activities=_activity_choices(details), preferred_currencies=currencies).for_adding()
    forms["risk"] = RiskForm(formdata=None, data={"key": uuid4().hex}).for_adding()
    forms["submit"] = SubmitForm(formdata=None,
                                 data={"key": uuid4().hex, "base_revision": plan.version})
    return forms


def _common(access: services.PlanAccess, details: services.PlanDetails | None) -> dict[str, Any]:
    """What every page showing the plan needs: labels, money, the timeline."""
    language = _language()
    status_labels = labels.texts(labels.ACTIVITY_STATUS)
    gantt = None
    if details is not None:
        gantt = timeline.gantt_svg(timeline.rows_from(details.activities, status_labels),
                                   date.today(), language, _("Timeline of the activities"))
    return {"access": access, "details": details, "money": format_money, "gantt": gantt,
            "labels": labels, "section_labels": labels.texts(labels.SECTIONS),
            "status_labels": status_labels}


def _plan_page(access: services.PlanAccess, failed: dict[str, FlaskForm] | None = None,
               open_form: str | None = None) -> Answer:
    plan = access.plan
    if plan is None:
        return render_template("plans/country/plan.html", **_common(access, None))
    details = services.plan_details(plan)
    forms: dict[str, FlaskForm] = {}
    if access.editable_now:
        forms = {**_fresh_forms(access, details), **(failed or {})}
        forms = {name: scope_ids(form, name) for name, form in forms.items()}
    thread = country_review.review_thread(plan)
    changed_since_approval: list[versions.ReadableChange] = []
    if plan.approved_version and plan.approved_version != plan.version:
        approved = services.version_snapshot(plan.id, plan.approved_version) or {}
        current = versions.snapshot(plan)
        changed_since_approval = versions.readable(versions.diff(approved, current), approved,
                                                   current)
    return render_template(
        "plans/country/plan.html", forms=forms, open_form=open_form,
        comments=country_review.comments_by_section(thread), thread=thread,
        may_submit=access.editable_now and country_review.may_submit(plan),
        changed_since_approval=changed_since_approval,
        plan_status=labels.texts(labels.PLAN_STATUS), **_common(access, details))


@bp.get(PLAN)
@signed_in
def country_plan(cohort_id: int, country_code: str) -> Answer:
    return _plan_page(_access(cohort_id, country_code))


@bp.post(PLAN)
@signed_in
def start_country_plan(cohort_id: int, country_code: str) -> Response:
    access = _access(cohort_id, country_code)
    if not access.may_edit:
        abort(404)
    # The CSRF token is checked before any view (CSRFProtect): there is nothing else to read.
    services.start_plan(current_user._get_current_object(), access.cohort, access.country_code)
    db.session.commit()
    flash(_("The roll-out plan is started. Everyone in the country team can now fill it in."),
          "success")
    return redirect(_url(access))


@bp.post(f"{PLAN}/sections/<section>")
@signed_in
def save_plan_section(cohort_id: int, country_code: str, section: str) -> Answer:
    access, plan = _editor(cohort_id, country_code)
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        abort(404)
    form = form_class()
    if not form.validate():
        return _refused(form, lambda: _plan_page(access, failed={section: form}))
    # Only the fields posted are saved: a field left out keeps its saved value.
    values = {name: value for name, value in form.values().items() if name in request.form}
    edit = services.section_edit(section, values)
    return _write(
        access, plan, form, f"country_plan_{section}",
        lambda: services.save(current_user, plan.id, form.base_revision.data, edit),
        lambda result: _saved(access, result, _("Your changes are saved."), section),
        lambda: _plan_page(access, failed={section: form}))


# --- activities, budget lines and risks -------------------------------------------------


@dataclass(frozen=True)
class RowKind:
    """What differs between activities, budget lines and risks; the pages are the same."""

    name: str  # the form's name on the plan page
    section: str
    form: Callable[..., RowForm]
    get: Callable[[CountryPlan, int], Any]
    add: Callable[[dict[str, Any]], services.Edit]
    update: Callable[[int, dict[str, Any]], services.Edit]
    remove: Callable[[int], services.Edit]
    id_name: str  # the row id's name in its URLs
    remove_endpoint: str
    edit_title: Callable[[], str]
    added: Callable[[], str]
    removed: Callable[[], str]


def _activity_form(access: services.PlanAccess, details: services.PlanDetails,
                   row_id: int | None = None, **kwargs: Any) -> ActivityForm:
    return ActivityForm(others=_activity_choices(details, without=row_id), **kwargs)


def _line_form(access: services.PlanAccess, details: services.PlanDetails,
               row_id: int | None = None, **kwargs: Any) -> BudgetLineForm:
    return BudgetLineForm(activities=_activity_choices(details),
                          preferred_currencies=_preferred_currencies(access, details), **kwargs)


def _risk_form(access: services.PlanAccess, details: services.PlanDetails,
               row_id: int | None = None, **kwargs: Any) -> RiskForm:
    return RiskForm(**kwargs)


ACTIVITY = RowKind(
    "activity", "activities", _activity_form, services.get_activity, services.add_activity,
    services.update_activity, services.remove_activity, "activity_id",
    "plans.remove_plan_activity", lambda: _("Edit the activity"),
    lambda: _("The activity is added to the plan."),
    lambda: _("The activity is removed from the plan."))
BUDGET_LINE = RowKind(
    "budget", "budget", _line_form, services.get_line, services.add_line, services.update_line,
    services.remove_line, "line_id", "plans.remove_budget_line",
    lambda: _("Edit the budget line"), lambda: _("The budget line is added."),
    lambda: _("The budget line is removed."))
RISK = RowKind(
    "risk", "risks", _risk_form, services.get_risk, services.add_risk, services.update_risk,
    services.remove_risk, "risk_id", "plans.remove_plan_risk",
    lambda: _("Edit the risk"), lambda: _("The risk is added."),
    lambda: _("The risk is removed."))


def _add_row(kind: RowKind, cohort_id: int, country_code: str) -> Answer:
    access, plan = _editor(cohort_id, country_code)
    details = services.plan_details(plan)
    form = kind.form(access, details).for_adding()
    if not form.validate():
        return _refused(form, lambda: _plan_page(access, failed={kind.name: form},
                                                 open_form=kind.name))
    edit = kind.add(form.values())
    return _write(
        access, plan, form, f"country_plan_{kind.name}",
        lambda: services.save(current_user, plan.id, None, edit),
        lambda result: _saved(access, result, kind.added(), kind.section),
        lambda: _plan_page(access, failed={kind.name: form}, open_form=kind.name))


def _row_page(kind: RowKind, access: services.PlanAccess, row: Any, form: RowForm) -> str:
    remove_form = RemoveForm(formdata=None, base_revision=access.plan.version
                             if access.plan else None)
    remove_url = None if row is None else _url(access, kind.remove_endpoint,
                                               **{kind.id_name: row.id})
    return render_template("plans/country/row.html", kind=kind, row=row, remove_url=remove_url,
                           form=scope_ids(form, kind.name),
                           remove_form=scope_ids(remove_form, "remove"),
                           **_common(access, None))


def _edit_row(kind: RowKind, cohort_id: int, country_code: str, row_id: int) -> Answer:
    access, plan = _editor(cohort_id, country_code)
    row = kind.get(plan, row_id)
    details = services.plan_details(plan)
    if request.method == "GET":
        if row is None:
            abort(404)
        if not access.editable_now:
            return _locked(access)
        extra = ({"depends_on": list(details.depends_on[row.id])} if kind is ACTIVITY else {})
        form = kind.form(access, details, row_id, formdata=None, obj=row,
                         base_revision=plan.version, **extra).for_editing()
        return _row_page(kind, access, row, form)
    form = kind.form(access, details, row_id).for_editing()
    if not form.validate():
        if row is None and not MALFORMED_FIELDS & form.errors.keys():
            abort(404)
        return _refused(form, lambda: _row_page(kind, access, row, form))
    edit = kind.update(row_id, form.values())
    return _write(
        access, plan, form, f"country_plan_{kind.name}",
        lambda: services.save(current_user, plan.id, form.base_revision.data, edit),
        lambda result: _saved(access, result, _("Your changes are saved."), kind.section),
        lambda: _row_page(kind, access, row, form))


def _remove_row(kind: RowKind, cohort_id: int, country_code: str, row_id: int) -> Answer:
    access, plan = _editor(cohort_id, country_code)
    form = RemoveForm()
    if not form.validate():
        return _refused(form, lambda: _plan_page(access))
    edit = kind.remove(row_id)
    return _write(
        access, plan, form, f"country_plan_{kind.name}_removal",
        lambda: services.save(current_user, plan.id, form.base_revision.data, edit),
        lambda result: _saved(access, result, kind.removed(), kind.section),
        lambda: _plan_page(access))


@bp.post(f"{PLAN}/activities")
@signed_in
def add_plan_activity(cohort_id: int, country_code: str) -> Answer:
    return _add_row(ACTIVITY, cohort_id, country_code)


@bp.route(f"{PLAN}/activities/<int:activity_id>", methods=["GET", "POST"])
@signed_in
def edit_plan_activity(cohort_id: int, country_code: str, activity_id: int) -> Answer:
    return _edit_row(ACTIVITY, cohort_id, country_code, activity_id)


@bp.post(f"{PLAN}/activities/<int:activity_id>/remove")
@signed_in
def remove_plan_activity(cohort_id: int, country_code: str, activity_id: int) -> Answer:
    return _remove_row(ACTIVITY, cohort_id, country_code, activity_id)


@bp.post(f"{PLAN}/budget")
@signed_in
def add_budget_line(cohort_id: int, country_code: str) -> Answer:
    return _add_row(BUDGET_LINE, cohort_id, country_code)


@bp.route(f"{PLAN}/budget/<int:line_id>", methods=["GET", "POST"])
@signed_in
def edit_budget_line(cohort_id: int, country_code: str, line_id: int) -> Answer:
    return _edit_row(BUDGET_LINE, cohort_id, country_code, line_id)


@bp.post(f"{PLAN}/budget/<int:line_id>/remove")
@signed_in
def remove_budget_line(cohort_id: int, country_code: str, line_id: int) -> Answer:
    return _remove_row(BUDGET_LINE, cohort_id, country_code, line_id)


@bp.post(f"{PLAN}/risks")
@signed_in
def add_plan_risk(cohort_id: int, country_code: str) -> Answer:
    return _add_row(RISK, cohort_id, country_code)


@bp.route(f"{PLAN}/risks/<int:risk_id>", methods=["GET", "POST"])
@signed_in
def edit_plan_risk(cohort_id: int, country_code: str, risk_id: int) -> Answer:
    return _edit_row(RISK, cohort_id, country_code, risk_id)


@bp.post(f"{PLAN}/risks/<int:risk_id>/remove")
@signed_in
def remove_plan_risk(cohort_id: int, country_code: str, risk_id: int) -> Answer:
    return _remove_row(RISK, cohort_id, country_code, risk_id)


# --- review -------------------------------------------------------------------------------


@bp.post(f"{PLAN}/submit")
@signed_in
def submit_country_plan(cohort_id: int, country_code: str) -> Answer:
    access, plan = _editor(cohort_id, country_code)
    form = SubmitForm()
    if not form.validate():
        return _refused(form, lambda: _plan_page(access, failed={"submit": form},
                                                 open_form="submit"))
    actor = current_user._get_current_object()
    try:
        result = run_once(actor, _key(form), "country_plan_submit", lambda: country_review.submit(
            actor, plan.id, form.base_revision.data, form.message.data or "",
            _absolute(access, "plans.review_country_plan")))
    except services.PlanLocked:
        db.session.rollback()
        return _locked(access)
    except services.BadVersion:
        db.session.rollback()
        return render_error(400, _("This save names a version of the plan that does not "
                                   "exist. Reload the page and try again."))
    except versions.StaleEdit as stale:
        db.session.rollback()
        return _conflict(access, plan, stale, form)
    except country_review.ReviewRefused as refused:
        db.session.rollback()
        flash(REVIEW_REFUSALS[refused.code](), "error")
        return redirect(_url(access))
    if result["reviewers"]:
        flash(_("The plan is sent to the focal point for review. You will be told when they "
                "have read it."), "success")
    else:
        flash(_("The plan is submitted, but no focal point supports this country yet: ask an "
                "administrator to review it."), "info")
    return redirect(_url(access))


def _last_reviewed_version(thread: list[country_review.ReviewEntry]) -> int | None:
    return next((entry.version for entry in thread
                 if entry.event.value in ("returned", "approved")), None)


def _review_page(access: services.PlanAccess, plan: CountryPlan, form: ReviewForm) -> str:
    details = services.plan_details(plan)
    thread = country_review.review_thread(plan)
    since: list[versions.ReadableChange] = []
    last = _last_reviewed_version(thread)
    if last is not None and last != plan.version:
        before = services.version_snapshot(plan.id, last) or {}
        current = versions.snapshot(plan)
        since = versions.readable(versions.diff(before, current), before, current)
    return render_template("plans/country/review.html", form=scope_ids(form, "review"),
                           thread=thread, last_reviewed=last, since=since,
                           comments=country_review.comments_by_section(thread),
                           **_common(access, details))


@bp.route(f"{PLAN}/review", methods=["GET", "POST"])
@signed_in
def review_country_plan(cohort_id: int, country_code: str) -> Answer:
    access, plan = _plan(cohort_id, country_code)
    if not access.may_review:
        abort(404)
    submitted = plan.status.value == "submitted"
    if request.method == "GET":
        return _review_page(access, plan, ReviewForm(formdata=None, data={"key": uuid4().hex},
                                                     submitted=submitted))
    form = ReviewForm(submitted=submitted)
    if not form.validate():
        return _refused(form, lambda: _review_page(access, plan, form))
    actor = current_user._get_current_object()
    try:
        result = run_once(actor, _key(form), "country_plan_review", lambda: country_review.review(
            actor, plan.id, form.decision.data, form.section_comments(), form.general.data or "",
            _absolute(access)))
    except country_review.ReviewRefused as refused:
        db.session.rollback()
        form.form_errors.append(REVIEW_REFUSALS[refused.code]())
        return _review_page(access, plan, form)
    flash({"approved": _("The plan is approved and the country team is told."),
           "returned": _("The plan is returned to the country team with your comments."),
           }.get(str(result["status"]), _("Your comments are sent to the country team.")),
          "success")
    return redirect(_url(access))


# --- history --------------------------------------------------------------------------------


@bp.get(f"{PLAN}/versions")
@signed_in
def plan_versions(cohort_id: int, country_code: str) -> str:
    access, plan = _plan(cohort_id, country_code)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, has_more = versions.history(plan.id, page)
    return render_template("plans/country/versions.html", entries=entries, page=page,
                           has_more=has_more, **_common(access, None))


@bp.get(f"{PLAN}/versions/<int:version_number>")
@signed_in
def plan_version(cohort_id: int, country_code: str, version_number: int) -> str:
    access, plan = _plan(cohort_id, country_code)
    entry = versions.version_entry(plan.id, version_number)
    if entry is None:
        abort(404)
    previous = services.version_snapshot(plan.id, version_number - 1) or {}
    in_version = versions.readable(versions.diff(previous, entry.snapshot), previous,
                                   entry.snapshot) if version_number > 1 else []
    since: list[versions.ReadableChange] = []
    if version_number != plan.version:
        current = versions.snapshot(plan)
        since = versions.readable(versions.diff(entry.snapshot, current), entry.snapshot,
                                  current)
    return render_template("plans/country/version.html", entry=entry, in_version=in_version,
                           since=since, **_common(access, None))


# --- printable page, PDF and XLSX -----------------------------------------------------------


@bp.get(f"{PLAN}/print")
@signed_in
def print_country_plan(cohort_id: int, country_code: str) -> str:
    access, plan = _plan(cohort_id, country_code)
    return render_template("plans/country/print.html", today=date.today(),
                           plan_status=labels.texts(labels.PLAN_STATUS),
                           **_common(access, services.plan_details(plan)))


def _download(access: services.PlanAccess, plan: CountryPlan, body: bytes, file_format: str,
              mimetype: str) -> Response:
    # This GET writes the audit event: end the read-only transaction the request opened and
    # take the write lock up front for the short write, as a POST would (learning.db).
    db.session.commit()
    write_intent.set(True)
    record("country_plan.exported", actor=current_user._get_current_object(), target=plan,
           format=file_format, version=plan.version)
    db.session.commit()
    filename = f"roll-out-plan-{access.cohort.slug}-{access.country_code}.{file_format}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/cohorts/<int:cohort_id>/countries/<country_code>/plan.pdf")
@signed_in
def country_plan_pdf(cohort_id: int, country_code: str) -> Response:
    access, plan = _plan(cohort_id, country_code)
    body = country_export.plan_pdf(access.cohort, services.plan_details(plan), _language(),
                                   date.today())
    return _download(access, plan, body, "pdf", "application/pdf")


@bp.get("/cohorts/<int:cohort_id>/countries/<country_code>/plan.xlsx")
@signed_in
def country_plan_xlsx(cohort_id: int, country_code: str) -> Response:
    access, plan = _plan(cohort_id, country_code)
    body = country_export.plan_xlsx(services.plan_details(plan))
    return _download(access, plan, body, "xlsx",
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
