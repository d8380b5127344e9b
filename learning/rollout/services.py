"""Roll-out rules: who belongs to a country team, who sees which training, recording and
saving a training, the report's review (draft → submitted → returned → resubmitted →
approved, every step kept in its thread), the focal point's queue and follow-up log, and the
figures of a team page.

Who sees a training and its report:
- its trainer, who edits it while it is a draft or returned, and submits it;
- the team members named as its co-trainers (read);
- focal points of its country, who review it (approve, or return it with comments);
- coordinators of its country, facilitators of its cohort and admins (read);
- nobody else: for them it does not exist (404).

A country team is the people with a non-withdrawn enrolment in the cohort whose country is
the team's country. A training counts as delivered once its report is approved.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, false, func, or_, select, true

from learning import scope
from learning.accounts.models import OrganisationType, Role, User
from learning.audit.services import record
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.db import db, utcnow
from learning.notifications.services import notify
from learning.plans import country_services
from learning.rollout.models import (
    ContactMode,
    DeliveryMode,
    FollowUpContact,
    ReportAction,
    ReportEvent,
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingParticipant,
    TrainingReport,
)

MAX_TEXT_CHARS = 4000
MAX_LIST_ROWS = 200
EDITABLE = frozenset({ReportStatus.DRAFT, ReportStatus.RETURNED})
PENDING = frozenset({ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED})

ORGANISATION_COUNTS = {
    OrganisationType.UN_AGENCY: "un_agency_count",
    OrganisationType.INTERNATIONAL_NGO: "international_ngo_count",
    OrganisationType.NATIONAL_NGO: "national_ngo_count",
    OrganisationType.GOVERNMENT: "government_count",
    OrganisationType.OTHER: "other_organisation_count",
}
GENDER_COUNTS = {"female": "female_count", "male": "male_count",
                 "other": "other_gender_count"}


class ReportError(ValueError):
    """A rule of the review was broken; the view shows a message for ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class StaleVersion(ValueError):
    """The save was made from an older version of the training than the stored one."""

    def __init__(self, training: Training) -> None:
        super().__init__("stale")
        self.training = training


class Incomplete(ValueError):
    """The report cannot be submitted yet; ``missing`` names what is missing."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(",".join(missing))
        self.missing = missing


# --- teams ------------------------------------------------------------------------------------


def team_members_query(cohort_id: int, country_code: str) -> Select[tuple[User]]:
    return (
        select(User).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort_id, Enrolment.status != EnrolmentStatus.WITHDRAWN,
               User.country_code == country_code)
        .order_by(User.name, User.id)
    )


def team_members(cohort_id: int, country_code: str) -> list[User]:
    return list(db.session.scalars(team_members_query(cohort_id, country_code)))


def is_team_member(user: User, cohort_id: int, country_code: str | None) -> bool:
    if not country_code or user.country_code != country_code:
        return False
    return db.session.scalar(select(exists().where(
        Enrolment.cohort_id == cohort_id, Enrolment.user_id == user.id,
        Enrolment.status != EnrolmentStatus.WITHDRAWN))) or False


def teams_of(user: User) -> list[Cohort]:
    """The cohorts in whose country team ``user`` is (the team of ``user.country_code``)."""
    if not user.country_code:
        return []
    return list(db.session.scalars(
        select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Cohort.start_date.desc(), Cohort.id.desc())))


def team_cohort(viewer: User, cohort_id: int, country_code: str) -> Cohort | None:
    """The cohort of the (cohort, country) team page, if ``viewer`` may see it."""
    cohort = db.session.scalar(select(Cohort).where(
        Cohort.id == cohort_id,
        exists().where(CohortCountry.cohort_id == Cohort.id,
                       CohortCountry.country_code == country_code)))
    if cohort is None:
        return None
    allowed = (
        viewer.role == Role.ADMIN
        or (viewer.role == Role.FACILITATOR and viewer.id in cohort.facilitator_ids)
        or country_code in (scope.scoped_countries(viewer) or ())
        or is_team_member(viewer, cohort.id, country_code)
    )
    return cohort if allowed else None


def reviews_country(viewer: User, country_code: str) -> bool:
    """Focal points review reports and log follow-up for the countries they support."""
    return viewer.role == Role.FOCAL_POINT and country_code in viewer.focal_country_codes


# --- who sees which training ----------------------------------------------------------------


def _visible(viewer: User) -> ColumnElement[bool]:
    own = or_(Training.trainer_id == viewer.id,
              exists().where(TrainingCoTrainer.training_id == Training.id,
                             TrainingCoTrainer.user_id == viewer.id))
    if viewer.role == Role.ADMIN:
        return true()
    if viewer.role == Role.FACILITATOR:
        return or_(own, exists().where(CohortFacilitator.cohort_id == Training.cohort_id,
                                       CohortFacilitator.user_id == viewer.id))
    countries = scope.scoped_countries(viewer)
    if countries is not None:
        return or_(own, Training.country_code.in_(countries) if countries else false())
    return own


def visible_report(viewer: User, report_id: int) -> TrainingReport | None:
    return db.session.scalar(
        select(TrainingReport).join(Training, Training.id == TrainingReport.training_id)
        .where(TrainingReport.id == report_id, _visible(viewer)))


def own_training(trainer: User, training_id: int) -> Training | None:
    """A training its trainer may change (the others who see it only read it)."""
    return db.session.scalar(select(Training).where(Training.id == training_id,
                                                    Training.trainer_id == trainer.id))


def my_trainings(user: User) -> list[Training]:
    """Trainings ``user`` delivered, as trainer or as a co-trainer from the team."""
    own = or_(Training.trainer_id == user.id,
              exists().where(TrainingCoTrainer.training_id == Training.id,
                             TrainingCoTrainer.user_id == user.id))
    return list(db.session.scalars(
        select(Training).where(own)
        .order_by(Training.start_date.desc().nulls_first(), Training.id.desc())))


def trainings_for_export(viewer: User, cohort: Cohort) -> list[Training]:
    return list(db.session.scalars(
        select(Training).where(Training.cohort_id == cohort.id, _visible(viewer))
        .order_by(Training.country_code, Training.start_date.nulls_last(), Training.id)))


def plan_activities(cohort_id: int, country_code: str,
                    linked: int | None = None) -> dict[int, str]:
    """The roll-out plan activities a training can fulfil (trainings and refreshers not
    cancelled), by id, and the one it is ``linked`` to whatever that has become."""
    overview = country_services.plan_overview(cohort_id, country_code)
    if overview is None:
        return {}
    return {activity.id: activity.title for activity in overview.activities
            if activity.id == linked or (activity.category in ("training", "refresher")
                                         and activity.status != "cancelled")}


# --- recording and saving a training -----------------------------------------------------------


@dataclass(frozen=True)
class OrganisationReached:
    name: str
    type: OrganisationType


@dataclass(frozen=True)
class NamedParticipant:
    name: str
    organisation: str = ""


@dataclass(frozen=True)
class TrainingFields:
    """What the trainer writes about a training (everything but who, where and the review)."""

    start_date: date | None = None
    end_date: date | None = None
    days: int | None = None
    region_city: str = ""
    language: str = ""
    delivery_mode: DeliveryMode | None = None
    modules: tuple[int, ...] = ()
    co_trainer_ids: tuple[int, ...] = ()
    other_co_trainers: str = ""
    un_agency_count: int = 0
    international_ngo_count: int = 0
    national_ngo_count: int = 0
    government_count: int = 0
    other_organisation_count: int = 0
    female_count: int = 0
    male_count: int = 0
    other_gender_count: int = 0
    organisations: tuple[OrganisationReached, ...] = ()
    participants: tuple[NamedParticipant, ...] = ()
    pre_test_average: Decimal | None = None
    post_test_average: Decimal | None = None
    tested_trainees: int | None = None
    evaluation_highlights: str = ""
    adaptations: str = ""
    challenges: str = ""
    follow_up_planned: str = ""
    plan_activity_id: int | None = None


# Stored as they are on the training (the lists are rows of their own).
_COLUMNS = tuple(f.name for f in fields(TrainingFields)
                 if f.name not in ("modules", "co_trainer_ids", "organisations", "participants"))


def fields_of(training: Training) -> TrainingFields:
    return TrainingFields(
        **{name: getattr(training, name) for name in _COLUMNS},
        modules=tuple(sorted(training.modules or ())),
        co_trainer_ids=tuple(sorted(training.co_trainer_ids)),
        organisations=tuple(OrganisationReached(row.name, row.type)
                            for row in training.organisations),
        participants=tuple(NamedParticipant(row.name, row.organisation)
                           for row in training.participants),
    )


def answer(training: Training) -> dict[str, Any]:
    """What a save answers: the autosave script keeps ``revision`` for the next save."""
    return {"ok": True, "training": training.id, "version": training.version,
            "revision": training.version, "saved_at": training.updated_at.isoformat()}


def create_training(trainer: User, cohort: Cohort, values: TrainingFields) -> Training:
    """A new training of ``trainer``'s country team, with its report as a draft."""
    if not is_team_member(trainer, cohort.id, trainer.country_code):
        raise ReportError("not_in_team")
    now = utcnow()
    training = Training(cohort_id=cohort.id, country_code=trainer.country_code,
                        trainer_id=trainer.id, version=1, created_at=now, updated_at=now,
                        report=TrainingReport(status=ReportStatus.DRAFT, created_at=now))
    _apply(training, values)
    db.session.add(training)
    db.session.flush()
    return training


def _apply(training: Training, values: TrainingFields) -> None:
    for name in _COLUMNS:
        setattr(training, name, getattr(values, name))
    training.modules = sorted(set(values.modules))
    wanted = set(values.co_trainer_ids) - {training.trainer_id}
    # Rows kept as they are: replacing a row by an identical one would clash on its key.
    training.co_trainers = [row for row in training.co_trainers if row.user_id in wanted] + [
        TrainingCoTrainer(user_id=user_id)
        for user_id in sorted(wanted - set(training.co_trainer_ids))]
    training.organisations = [
        TrainingOrganisation(position=position, name=row.name, type=row.type)
        for position, row in enumerate(values.organisations)]
    training.participants = [
        TrainingParticipant(position=position, name=row.name, organisation=row.organisation)
        for position, row in enumerate(values.participants)]


def save_training(training: Training, values: TrainingFields, base_version: int,
                  draft_note: str) -> dict[str, Any]:
    """Store the trainer's text, unless the report is with the focal point or the save was
    made from an older version (both refused: nothing is overwritten silently)."""
    report = training.report
    if report.status not in EDITABLE:
        raise ReportError("locked")
    if base_version != training.version:
        raise StaleVersion(training)
    if fields_of(training) != values or report.draft_note != draft_note:
        _apply(training, values)
        report.draft_note = draft_note
        training.version += 1
        training.updated_at = utcnow()
        db.session.flush()
    return answer(training)


def apply_scores(training: Training, scores: list[tuple[Decimal, Decimal]]) -> None:
    """Replace the averages with those of imported individual scores (pre, post)."""
    if training.report.status not in EDITABLE:
        raise ReportError("locked")
    count = len(scores)
    training.pre_test_average = _average([pre for pre, _post in scores])
    training.post_test_average = _average([post for _pre, post in scores])
    training.tested_trainees = count
    training.version += 1
    training.updated_at = utcnow()
    db.session.flush()


def _average(values: list[Decimal]) -> Decimal:
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01"))


# --- the report's review ----------------------------------------------------------------------


def missing_for_submission(training: Training) -> list[str]:
    """Codes of what a report needs before it goes to the focal point."""
    missing = []
    if training.start_date is None or training.end_date is None:
        missing.append("dates")
    if not training.days:
        missing.append("days")
    if not training.region_city.strip():
        missing.append("region_city")
    if not training.language:
        missing.append("language")
    if training.delivery_mode is None:
        missing.append("delivery_mode")
    if not training.modules:
        missing.append("modules")
    if training.participants_total == 0:
        missing.append("participants")
    elif training.gender_total != training.participants_total:
        missing.append("totals_differ")
    if not training.organisations:
        missing.append("organisations")
    return missing


def _event(report: TrainingReport, author: User, action: ReportAction, text: str) -> None:
    db.session.add(ReportEvent(report_id=report.id, author_id=author.id, action=action,
                               text=text, at=utcnow()))


def submit_report(report: TrainingReport, trainer: User, link: str) -> dict[str, Any]:
    """Send the report to the focal points of its country, with the trainer's message."""
    training = report.training
    if report.status not in EDITABLE:
        raise ReportError("locked")
    missing = missing_for_submission(training)
    if missing:
        raise Incomplete(missing)
    resubmitted = report.status == ReportStatus.RETURNED
    action = ReportAction.RESUBMITTED if resubmitted else ReportAction.SUBMITTED
    report.status = ReportStatus(action.value)
    report.submitted_at = utcnow()
    note, report.draft_note = report.draft_note.strip(), ""
    _event(report, trainer, action, note)
    db.session.flush()
    for focal_point in db.session.scalars(scope.focal_points_of(training.country_code)):
        notify(focal_point, "training_report_submitted", link=link, trainer_name=trainer.name,
               region_city=training.region_city, start_date=training.start_date,
               end_date=training.end_date, note=note, resubmitted=resubmitted)
    record(f"training_report.{action.value}", actor=trainer, target=report,
           training=training.id, country=training.country_code)
    return {"ok": True, "report": report.id, "status": report.status.value}


def review_report(report: TrainingReport, reviewer: User, approve: bool, comments: str,
                  link: str) -> dict[str, Any]:
    """Approve the report, or return it to its trainer with comments; the trainer is told."""
    training = report.training
    if not reviews_country(reviewer, training.country_code):
        raise ReportError("not_reviewer")
    if report.status not in PENDING:
        raise ReportError("not_pending")
    comments = comments.strip()
    if not approve and not comments:
        raise ReportError("comments_needed")
    action = ReportAction.APPROVED if approve else ReportAction.RETURNED
    report.status = ReportStatus(action.value)
    report.decided_at = utcnow()
    _event(report, reviewer, action, comments)
    db.session.flush()
    notify(training.trainer, f"training_report_{action.value}", link=link,
           reviewer_name=reviewer.name, region_city=training.region_city,
           start_date=training.start_date, comments=comments)
    record(f"training_report.{action.value}", actor=reviewer, target=report,
           training=training.id, country=training.country_code)
    return {"ok": True, "report": report.id, "status": report.status.value,
            "trainer": training.trainer_id}


def thread(report: TrainingReport) -> list[ReportEvent]:
    return list(db.session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id)
                                   .order_by(ReportEvent.at, ReportEvent.id)))


@dataclass(frozen=True)
class QueueRow:
    report: TrainingReport
    training: Training
    age_days: int  # since the report was (re)submitted


def review_queue(viewer: User, today: date) -> list[QueueRow]:
    """Reports waiting for a decision, oldest first: a focal point's countries, or all of
    them for admins."""
    query = (select(TrainingReport, Training)
             .join(Training, Training.id == TrainingReport.training_id)
             .where(TrainingReport.status.in_(tuple(PENDING)))
             .order_by(TrainingReport.submitted_at, TrainingReport.id))
    if viewer.role != Role.ADMIN:
        query = query.where(Training.country_code.in_(viewer.focal_country_codes))
    return [QueueRow(report, training,
                     max(0, (today - (report.submitted_at or report.created_at).date()).days))
            for report, training in db.session.execute(query).tuples()]


def delivered_by_activity(activity_ids: Collection[int]) -> dict[int, int]:
    """Number of trainings with an APPROVED report linked to each activity."""
    wanted = set(activity_ids)
    if not wanted:
        return {}
    counts = dict.fromkeys(wanted, 0)
    rows = db.session.execute(
        select(Training.plan_activity_id, func.count(Training.id))
        .join(TrainingReport, TrainingReport.training_id == Training.id)
        .where(Training.plan_activity_id.in_(wanted),
               TrainingReport.status == ReportStatus.APPROVED)
        .group_by(Training.plan_activity_id))
    counts.update({activity_id: count for activity_id, count in rows.tuples()
                   if activity_id is not None})
    return counts


# --- a team's page -----------------------------------------------------------------------------


def fold_name(name: str) -> str:
    """An organisation's name as compared when counting distinct organisations: accents,
    case and spacing do not make a different organisation."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(letters.casefold().split())


@dataclass(frozen=True)
class MemberRow:
    user: User
    trainings: int  # led or co-led, whatever their report's status
    approved: int  # of which approved


@dataclass(frozen=True)
class TeamOverview:
    cohort: Cohort
    country_code: str
    plan: country_services.PlanOverview | None
    members: tuple[MemberRow, ...]
    trainings: tuple[Training, ...]
    trainings_delivered: int
    reports_pending: int
    supervisors_reached: int
    organisations_reached: int

    @property
    def trainings_planned(self) -> int | None:
        return self.plan.trainings_planned if self.plan is not None else None

    @property
    def trainers_delivered(self) -> int:
        return sum(1 for member in self.members if member.approved)


def team_overview(cohort: Cohort, country_code: str) -> TeamOverview:
    trainings = list(db.session.scalars(
        select(Training).where(Training.cohort_id == cohort.id,
                               Training.country_code == country_code)
        .order_by(Training.start_date.nulls_last(), Training.id)))
    approved = [t for t in trainings if t.report.status == ReportStatus.APPROVED]
    approved_ids = [t.id for t in approved]
    organisation_names: list[str] = list(db.session.scalars(
        select(TrainingOrganisation.name)
        .where(TrainingOrganisation.training_id.in_(approved_ids)))) if approved_ids else []
    members = []
    for user in team_members(cohort.id, country_code):
        delivered = [t for t in trainings
                     if t.trainer_id == user.id or user.id in t.co_trainer_ids]
        members.append(MemberRow(user, len(delivered), sum(
            1 for t in delivered if t.report.status == ReportStatus.APPROVED)))
    return TeamOverview(
        cohort=cohort, country_code=country_code,
        plan=country_services.plan_overview(cohort.id, country_code),
        members=tuple(members), trainings=tuple(trainings),
        trainings_delivered=len(approved),
        reports_pending=sum(1 for t in trainings if t.report.status in PENDING),
        supervisors_reached=sum(t.participants_total for t in approved),
        organisations_reached=len({fold_name(name) for name in organisation_names}),
    )


# --- follow-up -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactFields:
    contact_date: date
    mode: ContactMode
    attendees: str
    notes: str = ""
    agreed_actions: str = ""


def follow_ups(cohort_id: int, country_code: str) -> list[FollowUpContact]:
    return list(db.session.scalars(
        select(FollowUpContact)
        .where(FollowUpContact.cohort_id == cohort_id,
               FollowUpContact.country_code == country_code)
        .order_by(FollowUpContact.contact_date.desc(), FollowUpContact.id.desc())))


def add_follow_up(focal_point: User, cohort: Cohort, country_code: str,
                  values: ContactFields) -> dict[str, Any]:
    if not reviews_country(focal_point, country_code):
        raise ReportError("not_reviewer")
    contact = FollowUpContact(cohort_id=cohort.id, country_code=country_code,
                              focal_point_id=focal_point.id, contact_date=values.contact_date,
                              mode=values.mode, attendees=values.attendees,
                              notes=values.notes, agreed_actions=values.agreed_actions)
    db.session.add(contact)
    db.session.flush()
    record("follow_up.logged", actor=focal_point, target=contact, country=country_code,
           cohort=cohort.id)
    return {"ok": True, "contact": contact.id}
