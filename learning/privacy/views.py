"""My data (download, deletion request) and the admins' deletion queue."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from learning.access import roles, signed_in
from learning.accounts.models import Role
from learning.db import db
from learning.privacy import bp, services
from learning.privacy.forms import CancelRequestForm, CompleteDeletionForm, DeletionRequestForm
from learning.privacy.models import DeletionRequest, DeletionStatus

# Headings of the "My data" page; a table added later shows under its own name.
TABLE_LABELS = {
    "users": _l("Your account"),
    "enrolments": _l("Cohorts you are enrolled in"),
    "section_progress": _l("Your progress in the course"),
    "reflection_answers": _l("Your reflections"),
    "attempts": _l("Your tests, quizzes and questionnaires"),
    "action_plan_items": _l("Your action plan"),
    "plan_comments": _l("Comments on action plans"),
    "trainings": _l("Trainings you delivered"),
    "training_reports": _l("Training reports"),
    "certificates": _l("Your certificates"),
    "notifications": _l("Your notifications"),
    "audit_events": _l("What you did (audit log)"),
    "api_tokens": _l("Your API tokens"),
}


@bp.get("/account/data")
@signed_in
def my_data() -> str:
    user = current_user._get_current_object()
    return render_template("privacy/my_data.html", data=services.personal_data(user),
                           labels=TABLE_LABELS, pending=services.open_request(user),
                           request_form=DeletionRequestForm(), cancel_form=CancelRequestForm())


@bp.get("/account/data.json")
@signed_in
def my_data_json() -> Response:
    user = current_user._get_current_object()
    response = current_app.response_class(services.export_json(user),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="tandem-my-data.json"'
    return response


@bp.post("/account/data/deletion")
@signed_in
def request_deletion() -> str | Response | tuple[str, int]:
    user = current_user._get_current_object()
    form = DeletionRequestForm()
    if not form.validate_on_submit():
        return render_template("privacy/my_data.html", data=services.personal_data(user),
                               labels=TABLE_LABELS, pending=services.open_request(user),
                               request_form=form, cancel_form=CancelRequestForm()), 400
    services.request_deletion(user, form.reason.data or "")
    db.session.commit()
    flash(_("Your request is sent. An administrator will complete it and you will no longer "
            "be able to sign in."), "success")
    return redirect(url_for("privacy.my_data"))


@bp.post("/account/data/deletion/cancel")
@signed_in
def cancel_deletion() -> Response:
    form = CancelRequestForm()
    if form.validate_on_submit() and services.cancel_request(current_user._get_current_object()):
        db.session.commit()
        flash(_("Your deletion request is cancelled."), "success")
    return redirect(url_for("privacy.my_data"))


@bp.get("/admin/deletion-requests")
@roles(Role.ADMIN)
def deletion_requests() -> str:
    return render_template("privacy/deletion_requests.html",
                           requests=services.pending_requests(), form=CompleteDeletionForm())


@bp.post("/admin/deletion-requests/<int:request_id>")
@roles(Role.ADMIN)
def complete_deletion(request_id: int) -> str | Response | tuple[str, int]:
    deletion = db.session.get(DeletionRequest, request_id)
    if deletion is None or deletion.status != DeletionStatus.REQUESTED:
        abort(404)
    form = CompleteDeletionForm()
    if not form.validate_on_submit():
        return render_template("privacy/deletion_requests.html",
                               requests=services.pending_requests(), form=form), 400
    try:
        services.complete_deletion(current_user._get_current_object(), deletion)
    except services.DeletionRefused:
        db.session.rollback()
        flash(_("This is the last active administrator: name another administrator first."),
              "error")
        return redirect(url_for("privacy.deletion_requests"))
    db.session.commit()
    flash(_("The person's personal data is deleted."), "success")
    return redirect(url_for("privacy.deletion_requests"))
