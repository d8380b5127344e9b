"""Roll-out pages: a trainer's trainings and their reports (saved as you type), the report
with its review thread, the focal point's queue, a team's page and follow-up log, and the
trainings spreadsheet.

Writes answer JSON to the autosave script (``Accept: application/json``) and redirect with a
message after a plain form post; anything a person may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from babel.numbers import format_percent
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
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from learning import scope
from learning.access import roles, signed_in
from learning.accounts.forms import organisation_type_labels
from learning.accounts.models import Role
from learning.audit.services import record
from learning.cohorts.models import Cohort
from learning.core.csvfiles import decode_upload
from learning.core.errors import render_error
from learning.core.writes import InvalidWrite, run_once
from learning.courses.catalogue import get_catalogue
from learning.db import db, write_intent
from learning.plans import country_services
from learning.rollout import bp, exports, scores, services
from learning.rollout.forms import (
    MALFORMED_FIELDS,
    UNREADABLE_KEY,
    ContactForm,
    NewTrainingForm,
    ReviewForm,
    ScoresUploadForm,
    TrainingForm,
    contact_mode_labels,
    delivery_mode_labels,
    gender_labels,
    language_name,
    missing_labels,
    report_status_labels,
    training_data,
)
from learning.rollout.models import Training, TrainingReport
from learning.rollout.signals import report_approved

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
    pairs: list[tuple[str, str]] = []
    for name, value in payload.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None or isinstance(item, str | int):
                pairs.append((name, "" if item is None else str(item)))
    return MultiDict(pairs)


def _first_message(errors: object) -> str | None:
    """The first message in a field's errors (a list's are nested by row and field)."""
    if isinstance(errors, dict):
        errors = list(errors.values())
    if isinstance(errors, list):
        return next((found for item in errors if (found := _first_message(item))), None)
    return str(errors) if errors else None


def _first_error(form: FlaskForm) -> str:
    name, messages = next(iter(form.errors.items()))
    message = _first_message(messages) or ""
    if name in MALFORMED_FIELDS:
        return message
    return _("%(field)s: %(error)s", field=form[name].label.text, error=message)


def _refused(form: FlaskForm, show_again: Callable[[], Answer]) -> Answer:
    """JSON for the script; for a plain post, the page again with the messages, or a
    "bad request" page when the post cannot have come from it."""
    if _wants_json():
        return jsonify(ok=False, error=_first_error(form), errors=form.errors), 400
    if MALFORMED_FIELDS & form.errors.keys():
        return render_error(400, _first_error(form))
    return show_again()


def _locale() -> str:
    return str(get_locale())


def _link(endpoint: str, **values: Any) -> str:
    return current_app.config["BASE_URL"] + url_for(endpoint, **values)


def _now() -> datetime:
    return datetime.now(UTC)


def _score(value: Decimal | None) -> str:
    """A test score (stored in percent) in the reader's locale: "62.5%", "62,5 %"."""
    if value is None:
        return ""
    return format_percent(value / 100, locale=_locale(), decimal_quantization=False)


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {"score": _score}


def _module_titles() -> dict[int, str]:
    language = _locale()
    units = sorted((unit for unit in get_catalogue().units if unit.kind == "module"),
                   key=lambda unit: unit.order)
    return {number: unit.title.get(language) for number, unit in enumerate(units, start=1)}


def _labels() -> dict[str, dict[Any, str]]:
    return {"status": report_status_labels(), "delivery": delivery_mode_labels(),
            "organisation": organisation_type_labels(), "gender": gender_labels(),
            "contact": contact_mode_labels(), "modules": _module_titles()}


# --- a trainer's trainings --------------------------------------------------------------------


@bp.get("/trainings")
@signed_in
def my_trainings() -> str:
    return render_template("rollout/my_trainings.html", teams=services.teams_of(current_user),
                           trainings=services.my_trainings(current_user), labels=_labels())


def _team_or_404(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None or not services.is_team_member(current_user, cohort.id,
                                                     current_user.country_code):
        abort(404)
    return cohort


@bp.route("/cohorts/<int:cohort_id>/trainings/new", methods=["GET", "POST"])
@signed_in
def new_training(cohort_id: int) -> Answer:
    cohort = _team_or_404(cohort_id)
    if request.method == "GET":
        form = NewTrainingForm(formdata=None, data={"key": uuid4().hex})
        return render_template("rollout/new_training.html", form=form, cohort=cohort)
    form = NewTrainingForm()
    if not form.validate():
        return _refused(form, lambda: render_template("rollout/new_training.html", form=form,
                                                      cohort=cohort))
    # Sent twice (a double click, a retry): one training.
    result = run_once(current_user, form.key.data, "training_create", lambda: {
        "ok": True,
        "training": services.create_training(current_user, cohort, form.values()).id})
    flash(_("The training is recorded. Complete its report below; it is saved as you type."),
          "success")
    return redirect(url_for("rollout.edit_training", training_id=result["training"]))


def _own_or_404(training_id: int) -> Training:
    training = services.own_training(current_user, training_id)
    if training is None:
        abort(404)
    return training


def _training_form(training: Training, formdata: MultiDict[str, str] | None = None
                   ) -> TrainingForm:
    if formdata is None:
        form = TrainingForm(formdata=None, data={
            **training_data(services.fields_of(training)),
            "draft_note": training.report.draft_note, "base_revision": training.version})
    else:
        form = TrainingForm(formdata=formdata)
    team = [(user.id, user.name or user.email)
            for user in services.team_members(training.cohort_id, training.country_code)
            if user.id != training.trainer_id]
    form.set_choices(_locale(), _module_titles(), team, services.plan_activities(
        training.cohort_id, training.country_code, linked=training.plan_activity_id))
    return form


def _pad(form: TrainingForm) -> TrainingForm:
    """Three empty rows at the end of each list, for more organisations and names."""
    for rows in (form.organisations, form.participants):
        while len(rows) < rows.max_entries and sum(
                1 for row in rows if not row.form.name.data) < 3:
            rows.append_entry()
    return form


def _edit_page(training: Training, form: TrainingForm, missing: list[str] | None = None,
               conflict: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "rollout/edit_training.html", training=training, form=_pad(form),
        missing=[missing_labels()[code] for code in missing or ()], conflict=conflict or [],
        labels=_labels())
    return page, status


def _locked(training: Training) -> Answer:
    message = _("This report is with the focal point for review: it can be changed again "
                "if it is returned to you.")
    if training.report.status.value == "approved":
        message = _("This report is approved: it can no longer be changed.")
    if _wants_json():
        return jsonify(ok=False, error=message), 409
    flash(message, "info")
    return redirect(url_for("rollout.report", report_id=training.report.id))


def _changed_fields(form: TrainingForm, training: Training) -> list[str]:
    saved = services.fields_of(training)
    mine = form.values()
    names = [name for name in ("start_date", "end_date", "days", "region_city", "language",
                               "delivery_mode", "modules", "other_co_trainers",
                               "pre_test_average", "post_test_average", "tested_trainees",
                               "evaluation_highlights", "adaptations", "challenges",
                               "follow_up_planned", "plan_activity_id",
                               *services.ORGANISATION_COUNTS.values(),
                               *services.GENDER_COUNTS.values())
             if getattr(saved, name) != getattr(mine, name)]
    labels = [str(form[name].label.text) for name in names]
    if saved.co_trainer_ids != mine.co_trainer_ids:
        labels.append(str(form.co_trainers.label.text))
    if saved.organisations != mine.organisations:
        labels.append(_("Organisations reached"))
    if saved.participants != mine.participants:
        labels.append(_("Named participants"))
    return labels


def _conflict(form: TrainingForm, training: Training) -> Answer:
    """A save from an older version: nothing is overwritten; the person is shown what
    differs, and may save again on purpose."""
    changed = _changed_fields(form, training)
    error = _("This training was changed in another tab or device since you opened it. "
              "Reload the page to see the saved version; copy your text first.")
    if _wants_json():
        return jsonify(ok=False, error=error, conflict={
            "version": training.version, "saved_at": training.updated_at.isoformat(),
            "fields": changed}), 409
    form.base_revision.data = training.version
    form.base_revision.raw_data = [str(training.version)]
    return _edit_page(training, form, conflict=changed, status=409)


@bp.route("/trainings/<int:training_id>/edit", methods=["GET", "POST"])
@signed_in
def edit_training(training_id: int) -> Answer:
    training = _own_or_404(training_id)
    if training.report.status not in services.EDITABLE:
        return _locked(training)
    if request.method == "GET":
        # No JSON answer here: the autosave script would take a newer version for its own
        # text having replaced it; here a stale save is refused, and says so when sent.
        return _edit_page(training, _training_form(training))
    form = _training_form(training, _submitted())
    if not form.validate():
        return _refused(form, lambda: _edit_page(training, form))
    # The autosave script sends a key with every save and retries it until answered; a
    # plain post is sent once by the browser: it gets a key of its own here.
    key = _submitted().get("key") or ("" if _wants_json() else uuid4().hex)
    try:
        result = run_once(current_user, key, "training_save", lambda: services.save_training(
            training, form.values(), form.base_revision.data, form.draft_note.data or ""))
    except InvalidWrite:
        return jsonify(ok=False, error=str(UNREADABLE_KEY)), 400
    except services.StaleVersion:
        db.session.rollback()
        return _conflict(form, training)
    except services.ReportError:
        db.session.rollback()
        return _locked(training)
    if _wants_json():
        return jsonify(result)
    if "submit_report" in request.form:
        return _submit(training)
    flash(_("Your changes are saved."), "success")
    return redirect(url_for("rollout.edit_training", training_id=training.id))


def _submit(training: Training) -> Answer:
    """Send the saved report to the focal points (the text is saved first, so nothing typed
    is lost when something is still missing)."""
    report = training.report
    link = _link("rollout.report", report_id=report.id)
    try:
        services.submit_report(report, current_user, link)
    except services.Incomplete as incomplete:
        db.session.rollback()
        return _edit_page(training, _training_form(training), missing=incomplete.missing)
    except services.ReportError:
        db.session.rollback()
        return _locked(training)
    db.session.commit()
    flash(_("Your report is sent to the focal point for review. You will be told of their "
            "decision."), "success")
    return redirect(url_for("rollout.report", report_id=report.id))


@bp.route("/trainings/<int:training_id>/scores", methods=["GET", "POST"])
@signed_in
def import_scores(training_id: int) -> Answer:
    training = _own_or_404(training_id)
    if training.report.status not in services.EDITABLE:
        return _locked(training)
    form = ScoresUploadForm()
    report = None
    if form.validate_on_submit():
        text, error = decode_upload(form.file.data.read())
        if error:
            form.refuse("file", error)
        else:
            report = scores.parse_scores(text or "")
            if report.usable:
                values = report.scores()
                services.apply_scores(training, values)
                db.session.commit()
                flash(ngettext(
                    "Scores of %(num)d trainee imported: pre-test average %(pre)s, "
                    "post-test average %(post)s.",
                    "Scores of %(num)d trainees imported: pre-test average %(pre)s, "
                    "post-test average %(post)s.", len(values),
                    pre=_score(training.pre_test_average),
                    post=_score(training.post_test_average)), "success")
                return redirect(url_for("rollout.edit_training", training_id=training.id))
    return render_template("rollout/scores.html", training=training, form=form, report=report)


# --- the report and its review --------------------------------------------------------------


def _report_or_404(report_id: int) -> TrainingReport:
    report = services.visible_report(current_user, report_id)
    if report is None:
        abort(404)
    return report


def _review_form() -> ReviewForm:
    return ReviewForm(formdata=None, data={"key": uuid4().hex})


def _report_page(report: TrainingReport, review_form: ReviewForm | None = None) -> str:
    training = report.training
    may_review = (services.reviews_country(current_user, training.country_code)
                  and report.status in services.PENDING)
    activity = None
    if training.plan_activity_id is not None:
        overview = country_services.plan_overview(training.cohort_id, training.country_code)
        activity = next((item for item in overview.activities
                         if item.id == training.plan_activity_id), None) if overview else None
    return render_template(
        "rollout/report.html", report=report, training=training, activity=activity,
        events=services.thread(report), labels=_labels(),
        language=language_name(training.language, _locale()),
        may_edit=(training.trainer_id == current_user.id
                  and report.status in services.EDITABLE),
        review_form=(review_form or _review_form()) if may_review else None)


@bp.get("/reports/<int:report_id>")
@signed_in
def report(report_id: int) -> str:
    return _report_page(_report_or_404(report_id))


REVIEW_ERRORS = {
    "not_pending": lambda: _("This report is no longer waiting for a decision."),
    "comments_needed": lambda: _("Say what the trainer should complete or change."),
}


@bp.post("/reports/<int:report_id>/review")
@roles(Role.FOCAL_POINT)
def review_report(report_id: int) -> Answer:
    report = _report_or_404(report_id)
    if not services.reviews_country(current_user, report.training.country_code):
        abort(404)
    form = ReviewForm()
    if not form.validate():
        return _refused(form, lambda: _report_page(report, review_form=form))
    approve = form.decision.data == "approve"
    link = _link("rollout.report", report_id=report.id)
    try:
        result = run_once(current_user, form.key.data, "report_review",
                          lambda: services.review_report(report, current_user, approve,
                                                         form.comments.data or "", link))
    except services.ReportError as error:
        db.session.rollback()
        flash(REVIEW_ERRORS.get(error.code, REVIEW_ERRORS["not_pending"])(), "error")
        return redirect(url_for("rollout.report", report_id=report.id))
    # Sent once per approval (a resent form replays the first answer), after the commit.
    if result["status"] == "approved" and not result.get("replayed"):
        report_approved.send(current_app._get_current_object(),  # type: ignore[attr-defined]
                             report_id=result["report"], trainer_id=result["trainer"])
    if result["status"] == "approved":
        flash(_("The report is approved and %(name)s is told.",
                name=report.training.trainer.name), "success")
    else:
        flash(_("The report is returned to %(name)s with your comments.",
                name=report.training.trainer.name), "success")
    return redirect(url_for("rollout.review_queue"))


@bp.get("/reviews")
@roles(Role.FOCAL_POINT, Role.ADMIN)
def review_queue() -> str:
    rows = services.review_queue(current_user, _now().date())
    return render_template("rollout/queue.html", rows=rows, labels=_labels())


# --- a country team ---------------------------------------------------------------------------


def _team_cohort_or_404(cohort_id: int, country_code: str) -> Cohort:
    cohort = services.team_cohort(current_user, cohort_id, country_code)
    if cohort is None:
        abort(404)
    return cohort


@bp.get("/cohorts/<int:cohort_id>/countries/<country_code>/team")
@signed_in
def team(cohort_id: int, country_code: str) -> str:
    cohort = _team_cohort_or_404(cohort_id, country_code)
    return render_template(
        "rollout/team.html", overview=services.team_overview(cohort, country_code),
        labels=_labels(),
        may_export=current_user.role in (Role.FOCAL_POINT, Role.ADMIN),
        may_log=services.reviews_country(current_user, country_code))


def _contact_form() -> ContactForm:
    return ContactForm(formdata=None, data={"key": uuid4().hex,
                                            "contact_date": _now().date()})


def _follow_up_page(cohort: Cohort, country_code: str,
                    form: ContactForm | None = None) -> str:
    may_log = services.reviews_country(current_user, country_code)
    return render_template(
        "rollout/follow_up.html", cohort=cohort, country_code=country_code,
        contacts=services.follow_ups(cohort.id, country_code), labels=_labels(),
        form=(form or _contact_form()) if may_log else None)


@bp.get("/cohorts/<int:cohort_id>/countries/<country_code>/follow-up")
@signed_in
def follow_up(cohort_id: int, country_code: str) -> str:
    return _follow_up_page(_team_cohort_or_404(cohort_id, country_code), country_code)


@bp.post("/cohorts/<int:cohort_id>/countries/<country_code>/follow-up")
@roles(Role.FOCAL_POINT)
def add_follow_up(cohort_id: int, country_code: str) -> Answer:
    cohort = _team_cohort_or_404(cohort_id, country_code)
    form = ContactForm()
    if not form.validate():
        return _refused(form, lambda: _follow_up_page(cohort, country_code, form))
    run_once(current_user, form.key.data, "follow_up",
             lambda: services.add_follow_up(current_user, cohort, country_code, form.values()))
    flash(_("The contact is added to the follow-up log."), "success")
    return redirect(url_for("rollout.follow_up", cohort_id=cohort.id,
                            country_code=country_code))


@bp.get("/cohorts/<int:cohort_id>/trainings.xlsx")
@roles(Role.FOCAL_POINT, Role.ADMIN)
def trainings_xlsx(cohort_id: int) -> Response:
    cohort = db.session.scalar(scope.cohorts_query(current_user).where(Cohort.id == cohort_id))
    if cohort is None:
        abort(404)
    trainings = services.trainings_for_export(current_user, cohort)
    titles: dict[int, str] = {}
    for country_code in sorted({training.country_code for training in trainings}):
        overview = country_services.plan_overview(cohort.id, country_code)
        if overview is not None:
            titles.update({activity.id: activity.title for activity in overview.activities})
    body = exports.trainings_xlsx(trainings, _locale(), titles)
    # This GET writes the audit event: end the read-only transaction the request opened
    # and take the write lock up front for the short write, as a POST would (learning.db).
    db.session.commit()
    write_intent.set(True)
    record("export.trainings", actor=current_user._get_current_object(), target=cohort,
           format="xlsx", rows=len(trainings))
    db.session.commit()
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument"
                                   ".spreadsheetml.sheet",
                    headers={"Content-Disposition":
                             f'attachment; filename="{cohort.slug}-trainings.xlsx"'})
