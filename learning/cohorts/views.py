"""Cohort pages: list, create, edit, people, enrolment and CSV import."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from learning.access import STAFF, roles
from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.assessments.gating import (
    POST_TEST_REQUIRES_MODULE_4,
    PRE_TEST_CLOSES_AT_MODULE_1,
)
from learning.audit.services import record
from learning.certificates import rules as certificate_rules
from learning.cohorts import bp, importing, services
from learning.cohorts.forms import (
    CohortForm,
    EnrolExistingForm,
    EnrolmentStatusForm,
    ImportConfirmForm,
    ImportUploadForm,
    status_labels,
)
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.core.csvfiles import decode_upload
from learning.core.forms import options
from learning.db import db
from learning.i18n.countries import country_choices

# The form's field names are the settings keys the gating service reads.
RULE_FIELDS = (PRE_TEST_CLOSES_AT_MODULE_1, POST_TEST_REQUIRES_MODULE_4)

COHORT_ERRORS = {
    "dates": lambda: _("The last day cannot be before the first day."),
    "deadline": lambda: _("The pre-course deadline must be on or before the first day."),
    "slug": lambda: _("Another cohort already uses this short name."),
    "already_enrolled": lambda: _("This person is already enrolled in the cohort."),
}


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = services.get_visible_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _managed_cohort_or_404(cohort_id: int) -> Cohort:
    cohort = _cohort_or_404(cohort_id)
    if not services.can_manage(current_user, cohort):
        abort(404)
    return cohort


def _fill_choices(form: CohortForm) -> None:
    form.countries.choices = options(country_choices(str(get_locale())))
    facilitators = db.session.scalars(
        select(User).where(User.role == Role.FACILITATOR).order_by(User.name)
    )
    form.facilitators.choices = options(
        (user.id, f"{user.name} ({user.email})") for user in facilitators
    )


def _data(form: CohortForm) -> services.CohortData:
    return services.CohortData(
        name=form.name.data or "",
        slug=form.slug.data or "",
        languages=form.languages.data or [],
        venue=form.venue.data or "",
        start_date=form.start_date.data,
        end_date=form.end_date.data,
        precourse_deadline=form.precourse_deadline.data,
        countries=form.countries.data or [],
        facilitator_ids=form.facilitators.data or [],
        rules={name: bool(form[name].data) for name in RULE_FIELDS},
        certificates=({certificate_rules.RULES_SETTING: list(form.certificate_rules.data or []),
                       certificate_rules.LANGUAGES_SETTING: form.certificate_languages.data}
                      if form.certificate_fields.data else {}),
    )


@bp.get("/cohorts")
@roles(STAFF, Role.PARTICIPANT)
def index() -> str:
    cohorts = services.visible_cohorts(current_user)
    return render_template("cohorts/index.html", cohorts=cohorts)


@bp.route("/cohorts/new", methods=["GET", "POST"])
@roles(Role.ADMIN)
def create() -> str | Response:
    form = CohortForm()
    _fill_choices(form)
    if form.validate_on_submit():
        try:
            cohort = services.create_cohort(current_user, _data(form))
        except services.CohortError as error:
            db.session.rollback()
            flash(COHORT_ERRORS[error.code](), "error")
        else:
            db.session.commit()
            flash(_("Cohort created."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=None)


@bp.route("/cohorts/<int:cohort_id>/edit", methods=["GET", "POST"])
@roles(Role.ADMIN)
def edit(cohort_id: int) -> str | Response:
    cohort = _cohort_or_404(cohort_id)
    form = CohortForm(obj=cohort) if request.method == "GET" else CohortForm()
    _fill_choices(form)
    if request.method == "GET":
        form.languages.data = cohort.language_list
        form.countries.data = cohort.country_codes
        form.facilitators.data = sorted(cohort.facilitator_ids)
        for name in RULE_FIELDS:
            form[name].data = bool((cohort.settings or {}).get(name, True))
        form.certificate_rules.data = list(certificate_rules.enabled_rules(cohort))
        form.certificate_languages.data = certificate_rules.language_mode(cohort)
    if form.validate_on_submit():
        try:
            services.update_cohort(current_user, cohort, _data(form))
        except services.CohortError as error:
            db.session.rollback()
            flash(COHORT_ERRORS[error.code](), "error")
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/form.html", form=form, cohort=cohort)


@bp.get("/cohorts/<int:cohort_id>")
@roles(STAFF, Role.PARTICIPANT)
def show(cohort_id: int) -> str:
    cohort = _cohort_or_404(cohort_id)
    enrolments = services.enrolments(current_user, cohort)
    status_form = EnrolmentStatusForm()
    status_form.status.choices = options(status_labels().items())
    return render_template(
        "cohorts/show.html",
        cohort=cohort,
        enrolments=enrolments,
        can_manage=services.can_manage(current_user, cohort),
        status_labels=status_labels(),
        status_form=status_form,
        teams=services.team_counts(cohort),
    )


@bp.route("/cohorts/<int:cohort_id>/enrolments/new", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def enrol(cohort_id: int) -> str | Response:
    cohort = _managed_cohort_or_404(cohort_id)
    form = EnrolExistingForm()
    form.status.choices = options(status_labels().items())
    if form.validate_on_submit():
        user = accounts.user_by_email(form.email.data or "")
        if user is None or user.role != Role.PARTICIPANT:
            form.refuse("email", _("No participant account has this e-mail address. "
                                   "Invite the person instead."))
        else:
            try:
                services.enrol(current_user, cohort, user, EnrolmentStatus(form.status.data))
            except services.CohortError as error:
                db.session.rollback()
                form.refuse("email", COHORT_ERRORS[error.code]())
            else:
                db.session.commit()
                flash(_("%(name)s is now enrolled.", name=user.name), "success")
                return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    return render_template("cohorts/enrol.html", form=form, cohort=cohort)


@bp.post("/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/status")
@roles(Role.ADMIN, Role.FACILITATOR)
def change_status(cohort_id: int, enrolment_id: int) -> Response:
    cohort = _managed_cohort_or_404(cohort_id)
    enrolment = db.session.scalar(
        select(Enrolment).where(Enrolment.id == enrolment_id, Enrolment.cohort_id == cohort.id)
    )
    if enrolment is None:
        abort(404)
    form = EnrolmentStatusForm()
    form.status.choices = options(status_labels().items())
    if form.validate_on_submit():
        services.set_enrolment_status(current_user, enrolment, EnrolmentStatus(form.status.data))
        db.session.commit()
        flash(_("Status changed."), "success")
    else:
        flash(_("Choose a valid status."), "error")
    return redirect(url_for("cohorts.show", cohort_id=cohort.id))


@bp.route("/cohorts/<int:cohort_id>/import", methods=["GET", "POST"])
@roles(Role.ADMIN, Role.FACILITATOR)
def import_people(cohort_id: int) -> tuple[str, int] | Response:
    cohort = _managed_cohort_or_404(cohort_id)
    upload = ImportUploadForm()
    confirm = ImportConfirmForm()
    locale = str(get_locale())
    report = None
    text = None
    if "payload" in request.form:
        if confirm.validate_on_submit():
            report = importing.parse_invitation_csv(confirm.payload.data or "", cohort, locale)
            if report.file_errors or not report.valid_rows:
                flash(_("Nothing was imported: the file has no valid rows."), "error")
            else:
                imported = importing.import_rows(current_user, cohort, report)
                record("cohort.csv_import", actor=current_user, target=cohort,
                       imported=len(imported), skipped=len(report.invalid_rows))
                db.session.commit()
                flash(ngettext("%(num)d person imported and invited.",
                               "%(num)d people imported and invited.", len(imported)), "success")
                return redirect(url_for("cohorts.show", cohort_id=cohort.id))
    elif upload.validate_on_submit():
        text, error = decode_upload(upload.file.data.read())
        if error:
            upload.refuse("file", error)
        else:
            report = importing.parse_invitation_csv(text or "", cohort, locale)
            confirm.payload.data = text
    # A file with nothing that can be imported is refused, like any refused form.
    refused = report is not None and bool(report.file_errors or not report.valid_rows)
    return render_template("cohorts/import.html", cohort=cohort, upload=upload, confirm=confirm,
                           report=report), 400 if refused else 200
