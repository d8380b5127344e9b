"""Country application pages: the list, starting one, its parts (saved as the person types),
agencies and nominees, checking and submitting, the committee's review and decision, and the
nominee's confirmation page.

Part saves answer JSON to the autosave script (``Accept: application/json``) and redirect
with a message after a plain form post. Nothing here is reachable for an application outside
the viewer's countries: it is not found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
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
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from learning.access import roles, signed_in
from learning.accounts.models import Role
from learning.cohorts import application_services as services
from learning.cohorts import bp
from learning.cohorts.application_forms import (
    PART_FORMS,
    AdminNewApplicationForm,
    AgencyForm,
    ConfirmNominationForm,
    DecisionForm,
    KeyForm,
    NewApplicationForm,
    NomineeForm,
    PartForm,
    ReviewForm,
    SubmitApplicationForm,
    decision_labels,
    language_labels,
    organisation_type_labels,
)
from learning.cohorts.application_models import CountryApplication, Decision
from learning.cohorts.models import Cohort
from learning.core.errors import render_error
from learning.core.forms import options
from learning.core.writes import InvalidWrite, run_once
from learning.db import db
from learning.i18n.countries import country_choices, country_name

EDITORS = (Role.ADMIN, Role.COORDINATOR)
READERS = (Role.ADMIN, Role.COORDINATOR, Role.FOCAL_POINT)
Answer = Response | tuple[Response, int] | str | tuple[str, int]

ERRORS: dict[str, Callable[[], str]] = {
    "no_country": lambda: _("Your account has no country yet. Ask an administrator to set it, "
                            "then start the application."),
    "coordinator_country": lambda: _("Choose a coordinator of this country."),
    "cohort_closed": lambda: _("This Training of Trainers is over. Choose another one."),
    "not_draft": lambda: _("This application is submitted: it can no longer be changed."),
    "duplicate_nominee": lambda: _("A person with this e-mail address is already in the team."),
    "not_submitted": lambda: _("Only a submitted application can be reviewed and decided."),
    "scores_missing": lambda: _("Score the four criteria and save the review before deciding."),
    "cohort_missing": lambda: _("Choose the cohort the team joins."),
}


def page_titles() -> dict[str, str]:
    return {
        "contacts": _("Focal points"),
        "part1": _("Part I: the interagency case-management response"),
        "part2": _("Part II: interest in the initiative"),
        "team": _("Capacity-building team"),
        "commitment": _("Commitment of the coordination group"),
    }


def status_labels() -> dict[str, str]:
    return {"draft": _("Draft"), "submitted": _("Submitted"), "selected": _("Selected"),
            "not_selected": _("Not selected")}


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _application_or_404(application_id: int) -> CountryApplication:
    application = services.get_visible(current_user, application_id)
    if application is None:
        abort(404)
    return application


def _not_editable(application: CountryApplication) -> Answer:
    message = ERRORS["not_draft"]()
    if _wants_json():
        return jsonify(ok=False, error=message), 409
    flash(message, "error")
    return redirect(url_for("cohorts.show_application", application_id=application.id))


def _scope_ids(form: FlaskForm, scope: str) -> FlaskForm:
    """Ids unique on a page that shows several forms; the posted names stay the same."""
    for form_field in form:
        form_field.id = f"{scope}-{form_field.name}"
        form_field.label.field_id = form_field.id
    return form


def _common() -> dict[str, Any]:
    return {"titles": page_titles(), "status_labels": status_labels(),
            "type_labels": organisation_type_labels(), "language_labels": language_labels(),
            "pages": services.PAGES, "part_fields": services.PART_FIELDS}


# --- list and start ---------------------------------------------------------------------------

@bp.get("/applications")
@roles(*READERS)
def list_applications() -> str:
    return render_template("cohorts/applications/index.html",
                           applications=services.visible_applications(current_user),
                           **_common())


def _cohort_choices(cohorts: list[Cohort], empty: str) -> list[Any]:
    return options([("", empty), *(
        (cohort.id, f"{cohort.name} ({format_date(cohort.start_date)})") for cohort in cohorts)])


@bp.route("/applications/new", methods=["GET", "POST"])
@roles(*EDITORS)
def new_application() -> Answer:
    is_admin = current_user.role == Role.ADMIN
    form: NewApplicationForm = AdminNewApplicationForm() if is_admin else NewApplicationForm()
    form.cohort.choices = _cohort_choices(services.open_cohorts(), _("— not known yet —"))
    if isinstance(form, AdminNewApplicationForm):
        locale = str(get_locale())
        form.country.choices = options([("", _("— choose —")), *country_choices(locale)])
        form.coordinator.choices = options([("", _("— nobody in particular —")), *(
            (user.id, f"{user.name} ({country_name(user.country_code, locale)})")
            for user in services.coordinators())])
    if request.method == "GET":
        form.language.data = str(get_locale())
        form.key.data = uuid4().hex
    if form.validate_on_submit():
        admin_form = form if isinstance(form, AdminNewApplicationForm) else None

        def start() -> dict[str, Any]:
            application, created = services.start_application(
                current_user, admin_form.country.data if admin_form else "",
                form.language.data or "en", form.cohort.data,
                admin_form.coordinator.data if admin_form else None)
            return {"ok": True, "application": application.id, "created": created}

        try:
            result = run_once(current_user, form.key.data or "", "application_start", start)
        except services.ApplicationError as error:
            db.session.rollback()
            flash(ERRORS[error.code](), "error")
        else:
            if not result["created"]:
                flash(_("Your country already has an open application for this call: here "
                        "it is."), "info")
            return redirect(url_for("cohorts.application_part",
                                    application_id=result["application"], part="contacts"))
    no_country = not is_admin and not current_user.country_code
    return render_template("cohorts/applications/new.html", form=form, no_country=no_country,
                           **_common())


# --- the parts --------------------------------------------------------------------------------

def _part_page(application: CountryApplication, part: str, form: PartForm | None = None,
               agency_form: AgencyForm | None = None,
               conflict: services.Conflict | None = None) -> str:
    if form is None:
        form = PART_FORMS[part].of(application, application.part_version(part))
    if part == "part1" and agency_form is None:
        agency_form = AgencyForm(formdata=None, data={"key": uuid4().hex})
    if agency_form is not None:
        _scope_ids(agency_form, "agency")
    conflicting = []
    if conflict is not None:
        posted = form.values()
        conflicting = [(form[name].label.text, _shown(value))
                       for name, value in conflict.stored.items() if posted.get(name) != value]
    return render_template("cohorts/applications/part.html", application=application,
                           part=part, form=form, agency_form=agency_form,
                           conflicting=conflicting, **_common())


def _shown(value: Any) -> str:
    """A stored answer, as the conflict message shows it."""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return "" if value is None else str(value)


def _next_page(application: CountryApplication, part: str) -> str:
    pages = services.PAGES
    position = pages.index(part)
    if position + 1 < len(pages):
        following = pages[position + 1]
        if following == "team":
            return url_for("cohorts.application_team", application_id=application.id)
        return url_for("cohorts.application_part", application_id=application.id,
                       part=following)
    return url_for("cohorts.submit_application", application_id=application.id)


def _first_error(form: FlaskForm) -> str:
    name, messages = next(iter(form.errors.items()))
    if name in ("base_revision", "key", "csrf_token"):
        return str(messages[0])
    return _("%(field)s: %(error)s", field=form[name].label.text, error=messages[0])


@bp.route("/applications/<int:application_id>/parts/<part>", methods=["GET", "POST"])
@roles(*EDITORS)
def application_part(application_id: int, part: str) -> Answer:
    if part not in PART_FORMS:
        abort(404)
    application = _application_or_404(application_id)
    version = application.part_version(part)
    if request.method == "GET" and _wants_json():
        # The autosave script asks, when the person comes back, whether the part changed.
        return jsonify(ok=True, version=version, revision=version)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    if request.method == "GET":
        return _part_page(application, part)
    form = PART_FORMS[part]()
    if not form.validate():
        if _wants_json():
            return jsonify(ok=False, error=_first_error(form), errors=form.errors), 400
        if "base_revision" in form.errors:
            return render_error(400, _first_error(form))
        return _part_page(application, part, form=form), 400
    # The script sends a key with every save and retries it until answered; a plain post is
    # sent once and carries the whole part, so it gets a key of its own.
    key = request.form.get("key") or ("" if _wants_json() else uuid4().hex)
    try:
        result = run_once(current_user, key, "application_part",
                          lambda: services.save_part(current_user, application, part,
                                                     form.values(),
                                                     form.base_revision.data or 0))
    except InvalidWrite:
        return jsonify(ok=False, error=_("This save could not be identified. Reload the page "
                                         "and try again.")), 400
    except services.Conflict as conflict:
        db.session.rollback()
        message = _("Someone else saved this part since you opened it. Your text is not saved: "
                    "copy it, reload the page to see theirs, then make your change again.")
        if _wants_json():
            fields = {name: _shown(value) for name, value in conflict.stored.items()}
            return jsonify(ok=False, error=message,
                           conflict={"version": conflict.version, "fields": fields}), 409
        again = PART_FORMS[part](formdata=None, data={
            **{name: form[name].data for name in form.answer_names()},
            "base_revision": conflict.version})
        flash(_("Someone else saved this part since you opened it. Their text is shown below "
                "yours; save again to keep yours."), "error")
        return _part_page(application, part, form=again, conflict=conflict), 409
    if _wants_json():
        return jsonify(result)
    flash(_("Your changes are saved."), "success")
    return redirect(_next_page(application, part))


@bp.post("/applications/<int:application_id>/agencies")
@roles(*EDITORS)
def add_agency(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    form = AgencyForm()
    if not form.validate():
        if "key" in form.errors:
            return render_error(400, _first_error(form))
        return _part_page(application, "part1", agency_form=form), 400
    values = services.AgencyValues(
        name=form.name.data or "", organisation_type=form.organisation_type.data,
        cm_started_on=form.cm_started_on.data, active_cases=form.active_cases.data,
        caseworkers=form.caseworkers.data, supervisors=form.supervisors.data,
        comments=form.comments.data or "")
    run_once(current_user, form.key.data or "", "application_agency",
             lambda: {"ok": True, "agency": services.add_agency(application, values).id})
    flash(_("The organisation is added."), "success")
    return redirect(url_for("cohorts.application_part", application_id=application.id,
                            part="part1", _anchor="agencies"))


@bp.post("/applications/<int:application_id>/agencies/<int:agency_id>/delete")
@roles(*EDITORS)
def remove_agency(application_id: int, agency_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    form = KeyForm()
    if not form.validate():
        return render_error(400, _first_error(form))

    def remove() -> dict[str, Any]:
        agency = services.agency_of(application, agency_id)
        if agency is None:
            abort(404)
        services.remove_agency(application, agency)
        return {"ok": True}

    run_once(current_user, form.key.data or "", "application_agency_removal", remove)
    flash(_("The organisation is removed."), "success")
    return redirect(url_for("cohorts.application_part", application_id=application.id,
                            part="part1", _anchor="agencies"))


# --- the team ---------------------------------------------------------------------------------

def _team_page(application: CountryApplication, form: NomineeForm | None = None) -> str:
    if form is None:
        form = NomineeForm(formdata=None, data={"key": uuid4().hex})
    _scope_ids(form, "nominee")
    return render_template("cohorts/applications/team.html", application=application,
                           form=form, may_edit=services.may_edit(current_user, application),
                           **_common())


@bp.get("/applications/<int:application_id>/team")
@roles(*EDITORS)
def application_team(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    return _team_page(application)


@bp.post("/applications/<int:application_id>/nominees")
@roles(*EDITORS)
def add_nominee(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    form = NomineeForm()
    if not form.validate():
        if "key" in form.errors:
            return render_error(400, _first_error(form))
        return _team_page(application, form), 400
    values = services.NomineeValues(
        name=form.name.data or "", email=form.email.data or "",
        organisation=form.organisation.data or "",
        organisation_type=form.organisation_type.data, title=form.title.data or "",
        reason=form.reason.data or "", is_alternate=bool(form.is_alternate.data))
    try:
        run_once(current_user, form.key.data or "", "application_nominee",
                 lambda: {"ok": True, "nominee": services.add_nominee(application, values).id})
    except services.ApplicationError as error:
        db.session.rollback()
        form.email.errors = [ERRORS[error.code]()]
        return _team_page(application, form), 400
    flash(_("%(name)s is added to the team.", name=values.name), "success")
    return redirect(url_for("cohorts.application_team", application_id=application.id,
                            _anchor="nominees"))


@bp.post("/applications/<int:application_id>/nominees/<int:nominee_id>/delete")
@roles(*EDITORS)
def remove_nominee(application_id: int, nominee_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    form = KeyForm()
    if not form.validate():
        return render_error(400, _first_error(form))

    def remove() -> dict[str, Any]:
        nominee = services.nominee_of(application, nominee_id)
        if nominee is None:
            abort(404)
        services.remove_nominee(application, nominee)
        return {"ok": True}

    run_once(current_user, form.key.data or "", "application_nominee_removal", remove)
    flash(_("The person is removed from the team."), "success")
    return redirect(url_for("cohorts.application_team", application_id=application.id,
                            _anchor="nominees"))


# --- checking and submitting ------------------------------------------------------------------

FIELD_GROUPS = {"focal_": _l("Focal point"), "backup_": _l("Back-up focal point")}


def _field_labels() -> dict[str, str]:
    labels = {"agencies": _("Organisations implementing case management"),
              "nominees": _("Capacity-building team")}
    for form_class in PART_FORMS.values():
        form = form_class(formdata=None)
        for name in form.answer_names():
            group = next((str(label) for prefix, label in FIELD_GROUPS.items()
                          if name.startswith(prefix)), None)
            text = str(form[name].label.text)
            labels[name] = _("%(group)s: %(field)s", group=group, field=text) if group else text
    return labels


def _problem_message(problem: services.Problem) -> str:
    if problem.code == "missing":
        return _("Fill this in.")
    if problem.code == "email":
        return _("This is not a valid e-mail address.")
    if problem.code == "agree":
        return _("Tick the box to give the coordination group’s commitment.")
    if problem.code == "agencies":
        return _("Add at least one organisation implementing case management.")
    if problem.code == "team_size":
        return ngettext("Nominate 5 or 6 team members: the team has %(num)d.",
                        "Nominate 5 or 6 team members: the team has %(num)d.", problem.count)
    if problem.code == "alternates":
        return ngettext("Nominate 2 alternates: there is %(num)d.",
                        "Nominate 2 alternates: there are %(num)d.", problem.count)
    labels = organisation_type_labels()
    return ngettext(
        "Nominate team members from at least 3 types of organisation: the team members come "
        "from %(num)d type (%(types)s).",
        "Nominate team members from at least 3 types of organisation: the team members come "
        "from %(num)d types (%(types)s).",
        problem.count, types=", ".join(labels[kind.value] for kind in problem.types))


def _page_url(application: CountryApplication, page: str, anchor: str | None = None) -> str:
    if page == "team":
        return url_for("cohorts.application_team", application_id=application.id,
                       _anchor=anchor)
    return url_for("cohorts.application_part", application_id=application.id, part=page,
                   _anchor=anchor)


def _worded(application: CountryApplication,
            problems: list[services.Problem]) -> list[tuple[str, list[dict[str, str]]]]:
    """Problems grouped by page, each with its field's label, message and link."""
    labels = _field_labels()
    titles = page_titles()
    grouped: dict[str, list[dict[str, str]]] = {}
    for problem in problems:
        grouped.setdefault(problem.page, []).append({
            "label": labels[problem.anchor], "message": _problem_message(problem),
            "url": _page_url(application, problem.page, problem.anchor)})
    return [(titles[page], grouped[page]) for page in services.PAGES if page in grouped]


@bp.route("/applications/<int:application_id>/submit", methods=["GET", "POST"])
@roles(*EDITORS)
def submit_application(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    if not services.may_edit(current_user, application):
        return _not_editable(application)
    form = SubmitApplicationForm()
    problems = services.problems(application)
    if form.validate_on_submit():
        problems = services.submit(current_user, application)
        if not problems:
            db.session.commit()
            flash(_("The application is submitted. The selection committee will review it, "
                    "and you will be told of its decision."), "success")
            return redirect(url_for("cohorts.show_application", application_id=application.id))
        flash(_("The application cannot be submitted yet: see what is missing below."), "error")
    return render_template("cohorts/applications/check.html", application=application,
                           form=form, problems=_worded(application, problems), **_common())


# --- reading, reviewing, deciding -------------------------------------------------------------

@bp.get("/applications/<int:application_id>")
@roles(*READERS)
def show_application(application_id: int) -> str:
    application = _application_or_404(application_id)
    return render_template("cohorts/applications/show.html", application=application,
                           may_edit=services.may_edit(current_user, application),
                           decision_labels=decision_labels(), labels=_field_labels(),
                           **_common())


def _review_page(application: CountryApplication, review_form: ReviewForm | None = None,
                 decision_form: DecisionForm | None = None,
                 refused: list[services.SelectionProblem] | None = None) -> str:
    if review_form is None:
        review_form = ReviewForm(formdata=None, obj=application.review)
    if decision_form is None:
        decision_form = DecisionForm(formdata=None, data={"cohort": application.cohort_id})
    decision_form.cohort.choices = _cohort_choices(services.all_cohorts(), _("— choose —"))
    _scope_ids(decision_form, "decision")
    return render_template(
        "cohorts/applications/review.html", application=application, review_form=review_form,
        decision_form=decision_form, refused=[_refusal(problem) for problem in refused or []],
        decision_labels=decision_labels(), labels=_field_labels(), **_common())


def _refusal(problem: services.SelectionProblem) -> str:
    nominee = problem.nominee
    reasons = {
        "not_participant": _("this e-mail address belongs to an account that is not a "
                             "participant’s."),
        "inactive": _("the account with this e-mail address is deactivated."),
        "other_country": _("the account with this e-mail address belongs to another country."),
        "already_enrolled": _("this person is already enrolled in the cohort."),
    }
    return _("%(name)s (%(email)s): %(reason)s", name=nominee.name, email=nominee.email,
             reason=reasons[problem.code])


@bp.route("/applications/<int:application_id>/review", methods=["GET", "POST"])
@roles(Role.ADMIN)
def review_application(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    if request.method == "GET":
        return _review_page(application)
    form = ReviewForm()
    if not form.validate():
        return _review_page(application, review_form=form), 400
    try:
        services.save_review(current_user, application, form.scores(), form.comments.data or "")
    except services.ApplicationError as error:
        db.session.rollback()
        flash(ERRORS[error.code](), "error")
    else:
        db.session.commit()
        flash(_("The review is saved."), "success")
    return redirect(url_for("cohorts.review_application", application_id=application.id))


@bp.post("/applications/<int:application_id>/decision")
@roles(Role.ADMIN)
def decide_application(application_id: int) -> Answer:
    application = _application_or_404(application_id)
    form = DecisionForm()
    form.cohort.choices = _cohort_choices(services.all_cohorts(), "")
    if not form.validate():
        return _review_page(application, decision_form=form), 400
    cohort = db.session.get(Cohort, form.cohort.data) if form.cohort.data else None
    base = current_app.config["BASE_URL"]
    links = services.Links(
        application=base + url_for("cohorts.show_application", application_id=application.id),
        nomination=lambda nominee_id: base + url_for("cohorts.nomination",
                                                     nominee_id=nominee_id))
    decision = Decision(form.decision.data)
    try:
        services.decide(current_user, application, decision, form.message.data or "", cohort,
                        links)
    except services.ApplicationError as error:
        db.session.rollback()
        flash(ERRORS[error.code](), "error")
        return _review_page(application, decision_form=form), 409
    except services.SelectionRefused as refused:
        db.session.rollback()
        flash(_("Nobody was enrolled: correct the problems below, then decide again."),
              "error")
        return _review_page(application, decision_form=form, refused=refused.problems), 409
    db.session.commit()
    if decision == Decision.SELECTED:
        flash(ngettext("The application is selected: %(num)d person is enrolled and invited.",
                       "The application is selected: %(num)d people are enrolled and invited.",
                       len(application.nominees)), "success")
    else:
        flash(_("The decision is recorded and the coordinator is told."), "success")
    return redirect(url_for("cohorts.review_application", application_id=application.id))


# --- the nominee's confirmation ---------------------------------------------------------------

@bp.route("/nominations/<int:nominee_id>", methods=["GET", "POST"])
@signed_in
def nomination(nominee_id: int) -> Answer:
    nominee = services.own_nomination(current_user, nominee_id)
    if nominee is None or nominee.application.cohort is None:
        abort(404)
    form = ConfirmNominationForm()
    if form.validate_on_submit():
        if services.confirm_nomination(current_user, nominee):
            db.session.commit()
            flash(_("Thank you: your participation is confirmed."), "success")
        return redirect(url_for("cohorts.nomination", nominee_id=nominee.id))
    return render_template("cohorts/applications/nomination.html", nominee=nominee,
                           application=nominee.application, cohort=nominee.application.cohort,
                           form=form)
