"""Country application rules.

- Who: admins see every application; coordinators and focal points those of their countries
  (anything else is not found). Coordinators of the country and admins edit a draft; after
  submission nobody edits it. One open (draft or submitted) application per country and call
  (the cohort it applies for, or none yet): starting another opens the existing one.
- Saving as the person types: each part of the form counts its saves. A save that would
  change the text, made from a version older than someone else's later save of that part, is
  refused as a conflict (with the saved text), so nobody's words are overwritten silently.
  One person's own saves follow each other (the latest wins): the autosave script may send
  a quick succession of edits from an older version than the one the previous edit made.
- Submission checks completeness and the team (5 or 6 members, 2 alternates, at least 3 types
  of organisation among the members) and reports every problem at once.
- Selection enrols the nominees in the chosen cohort (reusing accounts by e-mail address) and
  invites them; everything is checked first, so a refused selection writes nothing.
- A nominee confirms by accepting their invitation (new accounts) or on their nomination
  page (accounts that already have a password). An alternate who confirms stays an alternate.

Services add and flush; the view (or ``run_once``) commits once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, false, select

from learning import scope
from learning.accounts import services as accounts
from learning.accounts.models import OrganisationType, Role, User
from learning.audit.services import record
from learning.cohorts.application_models import (
    ApplicationAgency,
    ApplicationReview,
    ApplicationStatus,
    CountryApplication,
    Decision,
    Nominee,
)
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.cohorts.services import enrol, set_enrolment_status
from learning.db import db, utcnow
from learning.notifications.services import notify

# The columns each part of the form writes, in the order the form shows them.
PART_FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("language", "focal_name", "focal_title", "focal_organisation", "focal_email",
                 "focal_phone", "backup_name", "backup_title", "backup_organisation",
                 "backup_email", "backup_phone"),
    "part1": ("has_cm_subgroup", "cm_subgroup_description", "cm_subgroup_tor",
              "has_interagency_sops", "sops_description", "government_role",
              "recent_trainings", "capacity_building", "capacity_budget"),
    "part2": ("why_join", "follow_up", "obstacles", "obstacle_responses"),
    "commitment": ("commitment_agreed", "signatory_name", "signatory_title", "signed_on"),
}
# The pages of the form, in order: the four parts and the team.
PAGES = ("contacts", "part1", "part2", "team", "commitment")

REQUIRED: dict[str, tuple[str, ...]] = {
    "contacts": ("focal_name", "focal_title", "focal_organisation", "focal_email",
                 "backup_name", "backup_title", "backup_organisation", "backup_email"),
    "part1": ("has_cm_subgroup", "has_interagency_sops", "government_role",
              "recent_trainings", "capacity_building"),
    "part2": ("why_join", "follow_up", "obstacles", "obstacle_responses"),
    "commitment": ("signatory_name", "signatory_title", "signed_on", "commitment_agreed"),
}
EMAIL_FIELDS = ("focal_email", "backup_email")
TEAM_SIZE = (5, 6)
ALTERNATES = 2
MIN_ORGANISATION_TYPES = 3
OPEN = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)


class ApplicationError(ValueError):
    """A rule was broken; the view shows a translated message for ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class Conflict(Exception):
    """The part was saved meanwhile from elsewhere; ``stored`` is what is saved now."""

    def __init__(self, version: int, stored: dict[str, Any]) -> None:
        super().__init__(version)
        self.version = version
        self.stored = stored


@dataclass(frozen=True)
class Problem:
    """Something to fix before submitting: on ``page``, at the field or section ``anchor``."""

    page: str
    anchor: str
    code: str
    count: int = 0
    types: tuple[OrganisationType, ...] = ()


@dataclass(frozen=True)
class SelectionProblem:
    """A nominee who cannot be enrolled as things are (``code`` says why)."""

    nominee: Nominee
    code: str


class SelectionRefused(Exception):
    def __init__(self, problems: list[SelectionProblem]) -> None:
        super().__init__(len(problems))
        self.problems = problems


# --- scope ------------------------------------------------------------------------------------

def applications_query(viewer: User) -> Select[tuple[CountryApplication]]:
    query = select(CountryApplication)
    if viewer.role == Role.ADMIN:
        return query
    if viewer.role in (Role.COORDINATOR, Role.FOCAL_POINT):
        return query.where(
            CountryApplication.country_code.in_(scope.scoped_countries(viewer) or []))
    return query.where(false())


def visible_applications(viewer: User) -> list[CountryApplication]:
    query = applications_query(viewer).order_by(CountryApplication.updated_at.desc(),
                                                CountryApplication.id.desc())
    return list(db.session.scalars(query))


def get_visible(viewer: User, application_id: int) -> CountryApplication | None:
    return db.session.scalar(
        applications_query(viewer).where(CountryApplication.id == application_id))


def may_edit(viewer: User, application: CountryApplication) -> bool:
    """Admins and the country's coordinators, while it is a draft."""
    if application.status != ApplicationStatus.DRAFT:
        return False
    return viewer.role == Role.ADMIN or (
        viewer.role == Role.COORDINATOR and viewer.country_code == application.country_code)


def open_cohorts() -> list[Cohort]:
    """Cohorts not over yet: the calls one may apply for."""
    query = (select(Cohort).where(Cohort.end_date >= date.today())
             .order_by(Cohort.start_date, Cohort.id))
    return list(db.session.scalars(query))


def all_cohorts() -> list[Cohort]:
    return list(db.session.scalars(select(Cohort).order_by(Cohort.start_date.desc(),
                                                           Cohort.id.desc())))


def coordinators(country_code: str | None = None) -> list[User]:
    query = select(User).where(User.role == Role.COORDINATOR, User.is_active.is_(True))
    if country_code is not None:
        query = query.where(User.country_code == country_code)
    return list(db.session.scalars(query.order_by(User.country_code, User.name)))


# --- starting and saving a draft --------------------------------------------------------------

def open_application(country_code: str, cohort_id: int | None) -> CountryApplication | None:
    query = select(CountryApplication).where(
        CountryApplication.country_code == country_code,
        CountryApplication.status.in_(OPEN),
        CountryApplication.cohort_id.is_(None) if cohort_id is None
        else CountryApplication.cohort_id == cohort_id,
    )
    return db.session.scalar(query.order_by(CountryApplication.id))


def start_application(actor: User, country_code: str, language: str, cohort_id: int | None,
                      coordinator_id: int | None = None) -> tuple[CountryApplication, bool]:
    """The open application of this country and call, and whether this call made it.

    A coordinator applies for their own country and is its coordinator; an admin may name a
    coordinator of the country.
    """
    if actor.role == Role.COORDINATOR:
        if not actor.country_code:
            raise ApplicationError("no_country")
        country_code, coordinator_id = actor.country_code, actor.id
    elif coordinator_id is not None and coordinator_id not in {
            user.id for user in coordinators(country_code)}:
        raise ApplicationError("coordinator_country")
    if cohort_id is not None and cohort_id not in {cohort.id for cohort in open_cohorts()}:
        raise ApplicationError("cohort_closed")
    existing = open_application(country_code, cohort_id)
    if existing is not None:
        return existing, False
    application = CountryApplication(
        country_code=country_code, coordinator_id=coordinator_id, created_by_id=actor.id,
        language=language, cohort_id=cohort_id, version=1, part_versions={})
    if actor.role == Role.COORDINATOR:
        # The coordinator is usually the coordination group's focal point, and signs.
        application.focal_name = application.signatory_name = actor.name
        application.focal_email = actor.email
        application.focal_title = application.signatory_title = actor.job_title
        application.focal_organisation = actor.organisation.name if actor.organisation else ""
    db.session.add(application)
    db.session.flush()
    record("application.created", actor=actor, target=application, country=country_code,
           cohort_id=cohort_id)
    return application, True


def _require_draft(application: CountryApplication) -> None:
    if application.status != ApplicationStatus.DRAFT:
        raise ApplicationError("not_draft")


def _changed(application: CountryApplication) -> None:
    application.version += 1
    application.updated_at = utcnow()


def stored_part(application: CountryApplication, part: str) -> dict[str, Any]:
    return {name: getattr(application, name) for name in PART_FIELDS[part]}


def save_part(actor: User, application: CountryApplication, part: str,
              values: dict[str, Any], base_version: int) -> dict[str, Any]:
    """Store a part's answers; raises :class:`Conflict` when someone else saved the part
    after ``base_version`` and this save would change it."""
    _require_draft(application)
    unknown = set(values) - set(PART_FIELDS[part])
    if unknown:
        raise ValueError(f"not in part {part}: {sorted(unknown)}")
    stored = stored_part(application, part)
    changes = {name: value for name, value in values.items() if stored[name] != value}
    version = application.part_version(part)
    if changes and base_version < application.part_version_of_others(part, actor.id):
        raise Conflict(version, stored)
    if changes:
        for name, value in changes.items():
            setattr(application, name, value)
        version += 1
        entry = (application.part_versions or {}).get(part, {})
        application.part_versions = {**(application.part_versions or {}), part: {
            "version": version, "by": {**entry.get("by", {}), str(actor.id): version}}}
        _changed(application)
        db.session.flush()
    return {"ok": True, "version": version, "revision": version,
            "saved_at": application.updated_at.isoformat()}


# --- agencies and nominees --------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyValues:
    name: str
    organisation_type: OrganisationType
    cm_started_on: date | None = None
    active_cases: int | None = None
    caseworkers: int | None = None
    supervisors: int | None = None
    comments: str = ""


def add_agency(application: CountryApplication, values: AgencyValues) -> ApplicationAgency:
    _require_draft(application)
    agency = ApplicationAgency(application_id=application.id, **asdict(values))
    application.agencies.append(agency)
    _changed(application)
    db.session.flush()
    return agency


def remove_agency(application: CountryApplication, agency: ApplicationAgency) -> None:
    _require_draft(application)
    application.agencies.remove(agency)
    _changed(application)
    db.session.flush()


@dataclass(frozen=True)
class NomineeValues:
    name: str
    email: str
    organisation: str
    organisation_type: OrganisationType
    title: str
    reason: str
    is_alternate: bool = False


def add_nominee(application: CountryApplication, values: NomineeValues) -> Nominee:
    _require_draft(application)
    email = accounts.normalise_email(values.email)
    if any(nominee.email == email for nominee in application.nominees):
        raise ApplicationError("duplicate_nominee")
    nominee = Nominee(application_id=application.id,
                      **{**asdict(values), "email": email, "name": " ".join(values.name.split())})
    application.nominees.append(nominee)
    _changed(application)
    db.session.flush()
    return nominee


def remove_nominee(application: CountryApplication, nominee: Nominee) -> None:
    _require_draft(application)
    application.nominees.remove(nominee)
    _changed(application)
    db.session.flush()


def agency_of(application: CountryApplication, agency_id: int) -> ApplicationAgency | None:
    return next((row for row in application.agencies if row.id == agency_id), None)


def nominee_of(application: CountryApplication, nominee_id: int) -> Nominee | None:
    return next((row for row in application.nominees if row.id == nominee_id), None)


# --- checking and submitting ------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _valid_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def problems(application: CountryApplication) -> list[Problem]:
    """Everything that stops the application from being submitted, in the form's order."""
    found: list[Problem] = []
    for page in PAGES:
        if page == "team":
            found.extend(_team_problems(application))
            continue
        required = list(REQUIRED[page])
        if page == "part1" and application.has_cm_subgroup:
            required.insert(required.index("has_interagency_sops"), "cm_subgroup_description")
        for name in PART_FIELDS[page]:
            value = getattr(application, name)
            if name == "commitment_agreed":
                if not value:
                    found.append(Problem(page, name, "agree"))
            elif name in required and _blank(value):
                found.append(Problem(page, name, "missing"))
            elif name in EMAIL_FIELDS and not _blank(value) and not _valid_email(value):
                found.append(Problem(page, name, "email"))
        if page == "part1" and not application.agencies:
            found.append(Problem(page, "agencies", "agencies"))
    return found


def _team_problems(application: CountryApplication) -> list[Problem]:
    found = []
    team = application.team
    if not TEAM_SIZE[0] <= len(team) <= TEAM_SIZE[1]:
        found.append(Problem("team", "nominees", "team_size", count=len(team)))
    if len(application.alternates) != ALTERNATES:
        found.append(Problem("team", "nominees", "alternates",
                             count=len(application.alternates)))
    types = tuple(kind for kind in OrganisationType
                  if any(nominee.organisation_type == kind for nominee in team))
    if team and len(types) < MIN_ORGANISATION_TYPES:
        found.append(Problem("team", "nominees", "diversity", count=len(types), types=types))
    return found


def submit(actor: User, application: CountryApplication) -> list[Problem]:
    """Submit when complete; otherwise change nothing and return what is missing."""
    _require_draft(application)
    found = problems(application)
    if found:
        return found
    application.status = ApplicationStatus.SUBMITTED
    application.submitted_at = utcnow()
    _changed(application)
    db.session.flush()
    record("application.submitted", actor=actor, target=application,
           country=application.country_code, version=application.version,
           team=len(application.team), alternates=len(application.alternates))
    return []


# --- review, decision, selection --------------------------------------------------------------

def save_review(actor: User, application: CountryApplication, scores: dict[str, int | None],
                comments: str) -> ApplicationReview:
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError("not_submitted")
    review = application.review
    if review is None:
        review = ApplicationReview(application_id=application.id)
        application.review = review
    for name, score in scores.items():
        setattr(review, name, score)
    review.comments = comments
    review.reviewer_id = actor.id
    review.updated_at = utcnow()
    db.session.flush()
    return review


def selection_problems(application: CountryApplication, cohort: Cohort) -> list[SelectionProblem]:
    """Nominees whose existing account cannot join this cohort's country team as it is."""
    found = []
    enrolled = set(db.session.scalars(
        select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)))
    for nominee in application.nominees:
        user = accounts.user_by_email(nominee.email)
        if user is None:
            continue
        if user.role != Role.PARTICIPANT:
            found.append(SelectionProblem(nominee, "not_participant"))
        elif not user.is_active:
            found.append(SelectionProblem(nominee, "inactive"))
        elif user.country_code not in (None, application.country_code):
            found.append(SelectionProblem(nominee, "other_country"))
        elif user.id in enrolled:
            found.append(SelectionProblem(nominee, "already_enrolled"))
    return found


@dataclass(frozen=True)
class Links:
    """Absolute addresses for messages: built by the view, which knows the routes."""

    application: str
    nomination: Callable[[int], str]


def decide(actor: User, application: CountryApplication, decision: Decision, message: str,
           cohort: Cohort | None, links: Links) -> None:
    """Record the decision and tell the coordinator; selecting enrols and invites the team.

    Raises :class:`ApplicationError` or :class:`SelectionRefused` before writing anything.
    """
    if application.status != ApplicationStatus.SUBMITTED:
        raise ApplicationError("not_submitted")
    review = application.review
    if review is None or None in review.scores:
        raise ApplicationError("scores_missing")
    if decision == Decision.SELECTED:
        if cohort is None:
            raise ApplicationError("cohort_missing")
        refused = selection_problems(application, cohort)
        if refused:
            raise SelectionRefused(refused)
        _enrol_team(actor, application, cohort, links)
        application.status = ApplicationStatus.SELECTED
        application.cohort_id = cohort.id
    else:
        application.status = ApplicationStatus.NOT_SELECTED
    review.decision = decision
    review.decided_at = utcnow()
    review.message_to_applicant = message
    review.reviewer_id = actor.id
    _changed(application)
    db.session.flush()
    record("application.decided", actor=actor, target=application, decision=decision.value,
           country=application.country_code, cohort=cohort.slug if cohort else None)
    for coordinator in decision_recipients(application):
        notify(coordinator, "application_decision", link=links.application,
               application=application, decision=decision.value, message=message,
               cohort=cohort if decision == Decision.SELECTED else None)


def decision_recipients(application: CountryApplication) -> list[User]:
    named = application.coordinator
    if named is not None and named.is_active:
        return [named]
    return coordinators(application.country_code)


def _enrol_team(actor: User, application: CountryApplication, cohort: Cohort,
                links: Links) -> None:
    created = 0
    now = utcnow()
    for nominee in application.nominees:
        user = accounts.user_by_email(nominee.email)
        if user is None:
            organisation = accounts.find_or_create_organisation(
                nominee.organisation, nominee.organisation_type, application.country_code)
            user = accounts.create_user(
                email=nominee.email, name=nominee.name, role=Role.PARTICIPANT,
                language=application.language, country_code=application.country_code,
                job_title=nominee.title, organisation=organisation)
            created += 1
        elif user.country_code is None:
            # Team membership is by country: the account joins the country it applies with.
            user.country_code = application.country_code
        enrol(actor, cohort, user,
              EnrolmentStatus.ALTERNATE if nominee.is_alternate else EnrolmentStatus.NOMINATED)
        nominee.user_id = user.id
        nominee.invited_at = now
        if user.has_password:
            notify(user, "application_nomination", link=links.nomination(nominee.id),
                   nominee=nominee, cohort=cohort, country_code=application.country_code)
        else:
            accounts.invite(actor, user)
    if application.country_code not in cohort.country_codes:
        cohort.countries.append(CohortCountry(country_code=application.country_code))
    db.session.flush()
    record("application.selected", actor=actor, target=application, cohort=cohort.slug,
           country=application.country_code, team=len(application.team),
           alternates=len(application.alternates), accounts_created=created)


# --- nominees confirming ----------------------------------------------------------------------

def own_nomination(user: User, nominee_id: int) -> Nominee | None:
    return db.session.scalar(
        select(Nominee).join(CountryApplication)
        .where(Nominee.id == nominee_id, Nominee.user_id == user.id,
               CountryApplication.status == ApplicationStatus.SELECTED))


def pending_nominations(user: User) -> list[Nominee]:
    return list(db.session.scalars(
        select(Nominee).join(CountryApplication)
        .where(Nominee.user_id == user.id, Nominee.confirmed_at.is_(None),
               CountryApplication.status == ApplicationStatus.SELECTED)
        .order_by(Nominee.id)))


def nomination_enrolment(nominee: Nominee) -> Enrolment | None:
    return db.session.scalar(select(Enrolment).where(
        Enrolment.cohort_id == nominee.application.cohort_id,
        Enrolment.user_id == nominee.user_id))


def confirm_nomination(actor: User, nominee: Nominee) -> bool:
    """Record the nominee's confirmation; a team member's enrolment becomes confirmed.

    Returns False when it was confirmed already.
    """
    if nominee.confirmed_at is not None:
        return False
    nominee.confirmed_at = utcnow()
    enrolment = nomination_enrolment(nominee)
    if enrolment is not None and enrolment.status == EnrolmentStatus.NOMINATED:
        set_enrolment_status(actor, enrolment, EnrolmentStatus.CONFIRMED)
    db.session.flush()
    record("nomination.confirmed", actor=actor, target=nominee,
           application_id=nominee.application_id, alternate=nominee.is_alternate)
    return True


# Sent by ``accept_invitation`` inside its unit of work: a nominee who accepts confirms.
@accounts.invitation_accepted.connect
def _confirm_on_invitation_accepted(sender: User, **_extra: Any) -> None:
    for nominee in pending_nominations(sender):
        confirm_nomination(sender, nominee)
