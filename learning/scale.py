"""``flask demo --scale N``: a synthetic programme of N participants, for benchmarks.

Everything it writes is labelled: e-mail addresses ``scale-<n>@example.org``, names ending in
"(synthetic)", cohorts named "SCALE …" with slugs ``scale-<n>``, certificate serials
``SCALE-<year>-<id>`` with no PDF. Nobody can sign in: no account has a password.

Rows are written with SQLAlchemy Core ``insert()`` in batches (executemany), never as ORM
objects, and every id is chosen here so children can point at parents without reading
anything back: 100,000 participants take a few minutes on SQLite and on PostgreSQL. The
random choices come from one seeded generator, so the same seed gives the same programme
(dates are placed around the day it runs, so deadlines are both passed and ahead).

Shares follow what the programme saw: about 90 % finish pre-course part 1, 80 % part 2,
then fewer per module; most take the knowledge test before and after; 80 % of trainers
deliver trainings, whose reports are in every review state.
"""

from __future__ import annotations

import json
import random
from base64 import urlsafe_b64encode
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session, scoped_session

from learning.accounts.models import FocalPointCountry, Organisation, OrganisationType, Role, User
from learning.assessments.banks import Kind, kind_of, questions_for
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
    Purpose,
)
from learning.assessments.scoring import confidence_profile
from learning.assessments.types import question_type
from learning.assessments.types.scales import AGREEMENT_SCALE
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.content.schema import Catalogue, Question, QuestionBank
from learning.courses.models import SectionProgress
from learning.db import Base
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CountryPlan,
    CountryPlanActivity,
    CountryPlanStatus,
)
from learning.plans.models import ActionPlanItem, PlanFunction, PlanStatus
from learning.rollout.models import (
    DeliveryMode,
    ReportAction,
    ReportEvent,
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingReport,
)

EMAIL_PREFIX = "scale-"
EMAIL_DOMAIN = "@example.org"
COHORT_SLUG_PREFIX = "scale-"
PARTICIPANTS_PER_COHORT = 25
BATCH = 10_000

COUNTRIES = ("BI", "NE", "CD", "SS", "NG", "MM", "IQ", "JO", "SY", "TR",
             "LB", "YE", "SO", "ET", "KE", "UG", "CF", "ML", "TD", "BF")
FRENCH_SPEAKING = frozenset({"BI", "NE", "CD", "CF", "ML", "TD", "BF"})
COUNTRIES_PER_COHORT = 3
ORGANISATIONS_PER_TYPE = 4  # per country
ORG_TYPE_WEIGHTS = {
    OrganisationType.UN_AGENCY: 2, OrganisationType.INTERNATIONAL_NGO: 4,
    OrganisationType.NATIONAL_NGO: 5, OrganisationType.GOVERNMENT: 3, OrganisationType.OTHER: 1,
}
ENROLMENT_WEIGHTS = {
    EnrolmentStatus.CONFIRMED: 86, EnrolmentStatus.NOMINATED: 6,
    EnrolmentStatus.ALTERNATE: 4, EnrolmentStatus.WITHDRAWN: 4,
}
# Share of counted participants who finish each unit, in course order (pre-course parts,
# then modules). One "diligence" draw per person makes the shares nest: whoever finished
# module 3 finished module 2.
UNIT_SHARES = (0.90, 0.80, 0.75, 0.70, 0.65, 0.60)
UPCOMING_UNIT_SHARES = (0.60, 0.40, 0.0, 0.0, 0.0, 0.0)
REPORT_WEIGHTS = {
    ReportStatus.DRAFT: 10, ReportStatus.SUBMITTED: 15, ReportStatus.RETURNED: 5,
    ReportStatus.RESUBMITTED: 5, ReportStatus.APPROVED: 65,
}
# Cohorts start over four years, the last few after today (their pre-course is under way).
SPAN_DAYS = 1460
FUTURE_DAYS = 60


# The command passes the app's request-scoped session; tests and scripts a plain one.
AnySession = Session | scoped_session[Session]


@dataclass
class _Bulk:
    """Rows waiting to be inserted, per table, flushed parents first in batches."""

    connection: Connection
    pending: dict[Table, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    waiting: int = 0

    def add(self, model: Any, row: dict[str, Any]) -> None:
        table = model if isinstance(model, Table) else model.__table__
        self.pending.setdefault(table, []).append(row)
        self.waiting += 1
        if self.waiting >= BATCH:
            self.flush()

    def flush(self) -> None:
        # Metadata order puts every parent table before its children, so foreign keys hold
        # at every statement whatever order the rows were added in.
        for table in Base.metadata.sorted_tables:
            rows = self.pending.pop(table, None)
            if rows:
                if self.connection.dialect.name == "postgresql":
                    self._copy(table, rows)
                else:
                    self.connection.execute(insert(table), rows)
                self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        self.waiting = 0

    def _copy(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """PostgreSQL's COPY, in the same transaction: executemany there sends a statement
        per thousand rows and made 100,000 participants take over ten minutes."""
        names = list(rows[0])
        json_columns = {name for name in names if isinstance(table.c[name].type, JSON)}
        raw = self.connection.connection.driver_connection
        columns = ", ".join(f'"{name}"' for name in names)
        with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([
                    json.dumps(value) if name in json_columns and value is not None
                    else value.value if isinstance(value, Enum) else value
                    for name, value in row.items()])


def _next_id(session: AnySession, model: Any) -> int:
    return (session.scalar(select(func.max(model.id))) or 0) + 1


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _weighted(rng: random.Random, weights: dict[Any, int]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def refusal(session: AnySession, force: bool) -> str | None:
    """Why the generator must not run here, or None."""
    if session.scalar(select(Cohort.id).where(Cohort.slug.like(f"{COHORT_SLUG_PREFIX}%"))
                      .limit(1)) is not None:
        return "The synthetic programme is already loaded."
    real = session.scalar(select(User.id).where(~User.email.like(f"{EMAIL_PREFIX}%"))
                          .limit(1))
    if real is not None and not force:
        return ("This database holds accounts that are not synthetic: the synthetic "
                "programme would mix with real data. Use --force to add it anyway.")
    return None


@dataclass(frozen=True)
class _KnowledgeItem:
    question_id: str
    right: tuple[Any, float]  # (value, points) of a correct answer
    wrong: tuple[Any, float]


def _knowledge_items(bank: QuestionBank, form: str) -> list[_KnowledgeItem]:
    """Per question of the form, a right and a wrong answer with the points each earns."""
    items = []
    for question in questions_for(bank, form):
        kind = question_type(question.type)
        if not kind.scored or question.answer is None:
            continue
        right: Any = question.answer
        if isinstance(right, tuple):
            right = list(right)
        if isinstance(right, bool):
            wrong: Any = not right
        elif isinstance(right, list):
            wrong = [option.id for option in question.options if option.id not in right][:1]
        else:
            wrong = next(option.id for option in question.options if option.id != right)
        items.append(_KnowledgeItem(question.id, (right, float(kind.score(question, right) or 0)),
                                    (wrong, float(kind.score(question, wrong) or 0))))
    return items


def _survey_value(rng: random.Random, question: Question, positive: float) -> Any:
    """A plausible answer to a survey question; None for free text (left unanswered)."""
    options = [option.id for option in question.options]
    if question.type in ("single_choice",) and options:
        return rng.choice(options)
    if question.type == "multiple_choice" and options:
        return rng.sample(options, rng.randint(1, min(3, len(options))))
    if question.type == "ranking" and options:
        return rng.sample(options, min(int(question.raw.get("rank") or 3), len(options)))
    if question.type == "rating":
        low, high = int(question.raw.get("min", 1)), int(question.raw.get("max", 5))
        return rng.randint(low, high)
    if question.type in ("likert", "matrix"):
        def agreement() -> str:
            return AGREEMENT_SCALE[min(len(AGREEMENT_SCALE) - 1,
                                       int(rng.random() * len(AGREEMENT_SCALE) + positive))]
        if question.type == "likert":
            return agreement()
        return {statement["id"]: agreement()
                for statement in question.raw.get("statements") or ()}
    return None


def _bank_of_kind(catalogue: Catalogue, kind: Kind) -> QuestionBank | None:
    return next((bank for bank in sorted(catalogue.quizzes.values(), key=lambda b: b.id)
                 if kind_of(bank) == kind), None)


def generate(session: AnySession, catalogue: Catalogue, participants: int,
             seed: int = 2019, today: date | None = None) -> dict[str, int]:
    """Write the synthetic programme in the session's transaction (the caller commits).

    Returns how many rows went into each table.
    """
    if participants < 1:
        raise ValueError("at least one participant")
    rng = random.Random(seed)  # noqa: S311 (synthetic data, reproducible)
    today = today or date.today()
    bulk = _Bulk(session.connection())
    is_postgresql = session.get_bind().dialect.name == "postgresql"
    ids = {model: _next_id(session, model) for model in (
        Organisation, User, Cohort, Attempt, AnonymousResponse, CountryPlan,
        CountryPlanActivity, Training, TrainingReport, Certificate)}

    def new_id(model: Any) -> int:
        ids[model] += 1
        return ids[model] - 1

    created = _at(today - timedelta(days=SPAN_DAYS + 200))

    # --- organisations -----------------------------------------------------------------
    organisations: dict[tuple[str, OrganisationType], list[tuple[int, str]]] = {}
    for country in COUNTRIES:
        for kind in OrganisationType:
            pool = organisations.setdefault((country, kind), [])
            for number in range(1, ORGANISATIONS_PER_TYPE + 1):
                org_id = new_id(Organisation)
                name = f"Scale {kind.value.replace('_', ' ')} {number} {country}"
                pool.append((org_id, name))
                bulk.add(Organisation, {"id": org_id, "name": name, "type": kind,
                                        "country_code": country, "created_at": created})

    user_counter = iter(range(1, 10**9))

    def person(role: Role, country: str | None, organisation_id: int | None = None,
               job_title: str = "") -> int:
        user_id, number = new_id(User), next(user_counter)
        bulk.add(User, {
            "id": user_id, "email": f"{EMAIL_PREFIX}{number:06d}{EMAIL_DOMAIN}",
            "name": f"{role.value.replace('_', ' ').title()} {number:06d} (synthetic)",
            "password_hash": None, "language": "fr" if country in FRENCH_SPEAKING else "en",
            "role": role, "organisation_id": organisation_id, "country_code": country,
            "job_title": job_title, "is_active": True, "session_version": 1,
            "unread_notifications": 0, "created_at": created, "last_login_at": None,
        })
        return user_id

    # --- country staff: a focal point and a coordinator per country ---------------------
    for country in COUNTRIES:
        focal_point = person(Role.FOCAL_POINT, None, job_title="National support focal point")
        bulk.add(FocalPointCountry, {"user_id": focal_point, "country_code": country})
        person(Role.COORDINATOR, country, job_title="Case-management sub-group lead")

    # --- the banks and units the rows point at -----------------------------------------
    units = sorted(catalogue.units, key=lambda unit: unit.order)
    unit_sections = [(unit.id, [section.id for section in
                                unit.visible_sections(include_facilitator_notes=False)])
                     for unit in units]
    module_ids = [unit.id for unit in units if unit.kind != "precourse"]
    knowledge = _bank_of_kind(catalogue, Kind.KNOWLEDGE_TEST)
    knowledge_forms = ({form: _knowledge_items(knowledge, form) for form in ("pre", "post")}
                       if knowledge is not None else {})
    confidence = _bank_of_kind(catalogue, Kind.CONFIDENCE)
    confidence_questions = ([q for q in confidence.questions if q.type == "rating"]
                            if confidence is not None else [])
    survey = _bank_of_kind(catalogue, Kind.SURVEY)

    # --- cohorts -------------------------------------------------------------------------
    cohort_count = max(1, round(participants / PARTICIPANTS_PER_COHORT))
    first_participant = 0
    for index in range(cohort_count):
        cohort_id = new_id(Cohort)
        start = today - timedelta(days=SPAN_DAYS - FUTURE_DAYS) + timedelta(
            days=int(index * SPAN_DAYS / cohort_count))
        end = start + timedelta(days=4)
        deadline = start - timedelta(days=7)
        upcoming = start > today
        countries = [COUNTRIES[(COUNTRIES_PER_COHORT * index + offset) % len(COUNTRIES)]
                     for offset in range(COUNTRIES_PER_COHORT)]
        french = countries[0] in FRENCH_SPEAKING
        bulk.add(Cohort, {
            "id": cohort_id, "name": f"SCALE — Cohort {index + 1:05d} (synthetic)",
            "slug": f"{COHORT_SLUG_PREFIX}{index + 1:05d}",
            "languages": "fr,en" if french else "en", "venue": "Synthetic venue",
            "start_date": start, "end_date": end, "precourse_deadline": deadline,
            "settings": {}, "created_at": _at(start - timedelta(days=90)),
        })
        for country in countries:
            bulk.add(CohortCountry, {"cohort_id": cohort_id, "country_code": country})
        for _ in range(2):
            facilitator = person(Role.FACILITATOR, None, job_title="Facilitator")
            bulk.add(CohortFacilitator, {"cohort_id": cohort_id, "user_id": facilitator})

        last_participant = (index + 1) * participants // cohort_count
        teams: dict[str, list[int]] = {country: [] for country in countries}
        for seat, _number in enumerate(range(first_participant, last_participant)):
            country = countries[seat % len(countries)]
            kind = _weighted(rng, ORG_TYPE_WEIGHTS)
            org_id, _org_name = rng.choice(organisations[(country, kind)])
            user_id = person(Role.PARTICIPANT, country, org_id,
                             rng.choice(("Case-management supervisor", "Child protection officer",
                                         "Social worker", "Programme manager")))
            status = _weighted(rng, ENROLMENT_WEIGHTS)
            bulk.add(Enrolment, {"cohort_id": cohort_id, "user_id": user_id, "status": status,
                                 "created_at": _at(start - timedelta(days=80)),
                                 "updated_at": _at(start - timedelta(days=60))})
            counted = status in (EnrolmentStatus.CONFIRMED, EnrolmentStatus.NOMINATED)
            diligence = rng.random() if counted else 1.0 + rng.random()
            if status == EnrolmentStatus.WITHDRAWN and rng.random() < 0.3:
                diligence = 0.0  # withdrew after finishing part of the pre-course
                shares: Sequence[float] = (1.0, 0.0, 0.0, 0.0, 0.0, 0.0)
            else:
                shares = UPCOMING_UNIT_SHARES if upcoming else UNIT_SHARES
            done_units = _progress(bulk, rng, user_id, unit_sections, shares, diligence,
                                   start, deadline)
            if not counted:
                continue
            teams[country].append(user_id)
            modules_done = [unit for unit in module_ids if unit in done_units]
            took_post = _assessments(bulk, rng, new_id, user_id, cohort_id, start, end,
                                     upcoming, len(modules_done) == len(module_ids),
                                     knowledge, knowledge_forms, confidence,
                                     confidence_questions)
            for position, unit_id in enumerate(modules_done):
                if rng.random() < 0.85:
                    bulk.add(ActionPlanItem, _plan_item(rng, user_id, position, unit_id, end))
            if not upcoming and survey is not None and rng.random() < 0.4:
                _survey(bulk, rng, new_id, user_id, cohort_id, survey, end,
                        "fr" if country in FRENCH_SPEAKING else "en")
            if took_post and not upcoming:
                teams.setdefault("_certifiable", []).append(user_id)
        first_participant = last_participant

        certifiable = set(teams.pop("_certifiable", []))
        if upcoming:
            continue
        for country in countries:
            delivered = _rollout(bulk, rng, new_id, cohort_id, country, teams[country], end,
                                 today, organisations)
            for user_id in teams[country]:
                if user_id in certifiable and user_id in delivered and rng.random() < 0.8:
                    _certificate(bulk, rng, new_id, user_id, cohort_id, end, today)
    bulk.flush()
    if is_postgresql:
        _advance_sequences(session, ids)
    return dict(sorted(bulk.counts.items()))


def _progress(bulk: _Bulk, rng: random.Random, user_id: int,
              unit_sections: Sequence[tuple[str, Sequence[str]]], shares: Sequence[float],
              diligence: float, start: date, deadline: date) -> set[str]:
    """Section progress: whole units below the person's diligence, part of the next one."""
    done: set[str] = set()
    for position, (unit_id, sections) in enumerate(unit_sections):
        share = shares[position] if position < len(shares) else 0.0
        precourse = position < 2
        day = (deadline - timedelta(days=rng.randint(0, 40)) if precourse
               else start + timedelta(days=position - 2))
        if diligence < share:
            count, finished = len(sections), len(sections)
            done.add(unit_id)
        elif diligence < share + 0.08:
            count = rng.randint(1, len(sections) - 1)
            finished = count - 1
        else:
            break
        for number, section_id in enumerate(sections[:count]):
            seen = _at(day, 8 + number % 10)
            bulk.add(SectionProgress, {
                "user_id": user_id, "unit_id": unit_id, "section_id": section_id,
                "content_version": "", "opened_at": seen, "last_seen_at": seen,
                "completed_at": seen if number < finished else None,
            })
        if unit_id not in done:
            break
    return done


def _attempt(bulk: _Bulk, new_id: Any, user_id: int, cohort_id: int, bank_id: str,
             purpose: Purpose, form: str | None, at: datetime,
             score: tuple[float, float] | None = None,
             profile: dict[str, Any] | None = None) -> int:
    attempt_id = new_id(Attempt)
    points, maximum = score if score is not None else (None, None)
    bulk.add(Attempt, {
        "id": attempt_id, "user_id": user_id, "cohort_id": cohort_id, "bank_id": bank_id,
        "purpose": purpose, "number": 1, "status": AttemptStatus.SUBMITTED, "open_key": None,
        "form": form, "content_version": "", "started_at": at - timedelta(minutes=30),
        "expires_at": None, "submitted_at": at, "score": points, "max_score": maximum,
        "percent": 100 * points / maximum if points is not None and maximum else None,
        "passed": None, "profile": profile,
    })
    return attempt_id


def _assessments(bulk: _Bulk, rng: random.Random, new_id: Any, user_id: int, cohort_id: int,
                 start: date, end: date, upcoming: bool, modules_done: bool,
                 knowledge: QuestionBank | None,
                 knowledge_forms: dict[str, list[_KnowledgeItem]],
                 confidence: QuestionBank | None,
                 confidence_questions: Sequence[Question]) -> bool:
    """Knowledge test and confidence rating before and after; True if the post-test exists."""
    ability = rng.uniform(0.3, 0.75)
    gain = rng.uniform(0.0, 0.3)
    took_post = False
    if knowledge is not None:
        sittings = []
        if rng.random() < (0.6 if upcoming else 0.92):
            sittings.append((Purpose.PRE, ability, start - timedelta(days=2)))
        if not upcoming and modules_done and rng.random() < 0.95:
            sittings.append((Purpose.POST, min(1.0, ability + gain), end))
            took_post = True
        for purpose, chance, day in sittings:
            items = knowledge_forms[purpose.value]
            chosen = [item.right if rng.random() < chance else item.wrong for item in items]
            attempt_id = _attempt(bulk, new_id, user_id, cohort_id, knowledge.id, purpose,
                                  purpose.value, _at(day, 10),
                                  (sum(points for _value, points in chosen), float(len(items))))
            for item, (value, points) in zip(items, chosen, strict=True):
                bulk.add(Answer, {"attempt_id": attempt_id, "question_id": item.question_id,
                                  "value": value, "points": points, "revision": 1,
                                  "updated_at": _at(day, 10)})
    if confidence is not None and confidence_questions:
        base = rng.randint(1, 4)
        sittings = []
        if rng.random() < (0.55 if upcoming else 0.85):
            sittings.append((Purpose.PRE, 0, start - timedelta(days=2)))
        if not upcoming and modules_done and rng.random() < 0.9:
            sittings.append((Purpose.POST, 1 if rng.random() < 0.7 else 0, end))
        for purpose, rise, day in sittings:
            values = {question.id: max(1, min(5, base + rise + rng.choice((-1, 0, 0, 1))))
                      for question in confidence_questions}
            attempt_id = _attempt(bulk, new_id, user_id, cohort_id, confidence.id, purpose, None,
                                  _at(day, 11),
                                  profile=confidence_profile(confidence_questions, values))
            for question_id, value in values.items():
                bulk.add(Answer, {"attempt_id": attempt_id, "question_id": question_id,
                                  "value": value, "points": None, "revision": 1,
                                  "updated_at": _at(day, 11)})
    return took_post


def _plan_item(rng: random.Random, user_id: int, position: int, unit_id: str,
               end: date) -> dict[str, Any]:
    return {
        "user_id": user_id, "client_key": f"scale-{user_id}-{position}", "unit_id": unit_id,
        "function": rng.choice(list(PlanFunction)), "action": "Synthetic action",
        "first_steps": "", "support_needed": "", "target_date": end + timedelta(days=90),
        "success_measure": "", "status": rng.choice(list(PlanStatus)), "notes": "",
        "revision": 1, "created_at": _at(end), "updated_at": _at(end),
    }


def _survey(bulk: _Bulk, rng: random.Random, new_id: Any, user_id: int, cohort_id: int,
            survey: QuestionBank, end: date, language: str) -> None:
    """An anonymous response (answers without a name) and the person's submitted attempt."""
    day = end + timedelta(days=rng.randint(180, 400))
    _attempt(bulk, new_id, user_id, cohort_id, survey.id, Purpose.ONCE, None, _at(day, 15))
    response_id = new_id(AnonymousResponse)
    bulk.add(AnonymousResponse, {"id": response_id, "bank_id": survey.id, "cohort_id": cohort_id,
                                 "language": language, "submitted_on": day})
    positive = rng.uniform(0.0, 1.5)
    for question in survey.questions:
        value = _survey_value(rng, question, positive)
        if value is not None:
            bulk.add(AnonymousAnswer, {"response_id": response_id, "question_id": question.id,
                                       "value": value})


def _rollout(bulk: _Bulk, rng: random.Random, new_id: Any, cohort_id: int, country: str,
             team: Sequence[int], end: date, today: date,
             organisations: dict[tuple[str, OrganisationType], list[tuple[int, str]]]
             ) -> set[int]:
    """The team's country plan and trainings; returns the trainers who delivered one."""
    plan_id = new_id(CountryPlan)
    bulk.add(CountryPlan, {
        "id": plan_id, "cohort_id": cohort_id, "country_code": country,
        "status": rng.choice(list(CountryPlanStatus)), "version": 1, "submitted_version": None,
        "approved_version": None, "agencies": "", "supervisors_to_reach": 40 * len(team) + 20,
        "context_notes": "", "objectives": "Synthetic roll-out plan",
        "target_trainings": len(team), "target_supervisors": 20 * len(team),
        "target_organisations": 2 * len(team) + 1, "target_locations": "",
        "call_frequency": None, "follow_up_plan": "", "created_at": _at(end),
        "updated_at": _at(end), "updated_by_id": None,
    })
    planned_trainings = []
    for number in range(max(2, len(team) // 2)):
        activity_id = new_id(CountryPlanActivity)
        category = ActivityCategory.TRAINING if number % 3 != 2 else ActivityCategory.COACHING
        first = end + timedelta(days=30 + 30 * number)
        bulk.add(CountryPlanActivity, {
            "id": activity_id, "plan_id": plan_id, "title": f"Synthetic activity {number + 1}",
            "category": category, "owner_name": "", "organisation": "", "start_date": first,
            "end_date": first + timedelta(days=3),
            "status": ActivityStatus.DONE if first < today else ActivityStatus.PLANNED,
            "created_at": _at(end),
        })
        if category == ActivityCategory.TRAINING:
            planned_trainings.append(activity_id)
    trainers = [user_id for user_id in team if rng.random() < 0.8]
    delivered: set[int] = set()
    if not trainers:
        return delivered
    for number in range(max(1, round(0.8 * len(team)))):
        first = end + timedelta(days=rng.randint(20, 400))
        if first > today:
            continue  # not held yet
        lead = trainers[number % len(trainers)]
        helpers = {trainers[(number + step) % len(trainers)] for step in range(1, 3)} - {lead}
        delivered |= {lead, *helpers}
        by_type = {kind: rng.randint(0, 6) for kind in OrganisationType}
        total = sum(by_type.values()) or 1
        if not sum(by_type.values()):
            by_type[OrganisationType.NATIONAL_NGO] = 1
        female = rng.randint(0, total)
        training_id = new_id(Training)
        bulk.add(Training, {
            "id": training_id, "cohort_id": cohort_id, "country_code": country,
            "trainer_id": lead,
            "plan_activity_id": planned_trainings[number] if number < len(planned_trainings)
            else None,
            "start_date": first, "end_date": first + timedelta(days=2), "days": 3,
            "region_city": "Synthetic city", "language": "fr" if country in FRENCH_SPEAKING
            else "en", "delivery_mode": rng.choice(list(DeliveryMode)),
            "modules": sorted(rng.sample([1, 2, 3, 4], rng.randint(1, 4))),
            "other_co_trainers": "",
            "un_agency_count": by_type[OrganisationType.UN_AGENCY],
            "international_ngo_count": by_type[OrganisationType.INTERNATIONAL_NGO],
            "national_ngo_count": by_type[OrganisationType.NATIONAL_NGO],
            "government_count": by_type[OrganisationType.GOVERNMENT],
            "other_organisation_count": by_type[OrganisationType.OTHER],
            "female_count": female, "male_count": total - female, "other_gender_count": 0,
            "pre_test_average": None, "post_test_average": None, "tested_trainees": None,
            "evaluation_highlights": "", "adaptations": "", "challenges": "",
            "follow_up_planned": "", "version": 1, "created_at": _at(first),
            "updated_at": _at(first),
        })
        for helper in sorted(helpers):
            bulk.add(TrainingCoTrainer, {"training_id": training_id, "user_id": helper})
        position = 0
        for kind, count in by_type.items():
            if count:
                _org_id, name = rng.choice(organisations[(country, kind)])
                bulk.add(TrainingOrganisation, {"training_id": training_id,
                                                "position": position, "name": name,
                                                "type": kind})
                position += 1
        status = _weighted(rng, REPORT_WEIGHTS)
        submitted = _at(min(today, first + timedelta(days=rng.randint(3, 40))), 12)
        decided = (_at(min(today, submitted.date() + timedelta(days=rng.randint(1, 30))), 16)
                   if status in (ReportStatus.APPROVED, ReportStatus.RETURNED) else None)
        report_id = new_id(TrainingReport)
        bulk.add(TrainingReport, {
            "id": report_id, "training_id": training_id, "status": status, "draft_note": "",
            "submitted_at": None if status == ReportStatus.DRAFT else submitted,
            "decided_at": decided, "created_at": _at(first),
        })
        if status != ReportStatus.DRAFT:
            bulk.add(ReportEvent, {"report_id": report_id, "author_id": lead,
                                   "action": ReportAction.SUBMITTED, "text": "",
                                   "at": submitted})
        if decided is not None:
            action = (ReportAction.APPROVED if status == ReportStatus.APPROVED
                      else ReportAction.RETURNED)
            bulk.add(ReportEvent, {"report_id": report_id, "author_id": None,
                                   "action": action, "text": "", "at": decided})
    return delivered


def _certificate(bulk: _Bulk, rng: random.Random, new_id: Any, user_id: int, cohort_id: int,
                 end: date, today: date) -> None:
    """A certificate row without a PDF or credential: synthetic, and says so."""
    certificate_id = new_id(Certificate)
    issued = _at(min(today, end + timedelta(days=rng.randint(60, 420))), 14)
    revoked = rng.random() < 0.02
    bulk.add(Certificate, {
        "id": certificate_id, "user_id": user_id, "cohort_id": cohort_id,
        "serial": f"SCALE-{issued.year}-{certificate_id:07d}",
        "code": urlsafe_b64encode(rng.getrandbits(192).to_bytes(24, "big")).decode(),
        "status": CertificateStatus.REVOKED if revoked else CertificateStatus.VALID,
        "holder_name": f"Participant {user_id} (synthetic)", "language": "en",
        "achievements": {"synthetic": True, "modules": [1, 2, 3, 4],
                         "trainings_delivered": 1, "rules": [], "people_trained": 0},
        "issued_at": issued, "issued_by_id": None,
        "issue_reason": "Synthetic data (flask demo --scale): no PDF, no credential.",
        "revoked_at": issued + timedelta(days=30) if revoked else None,
        "revoked_by_id": None, "revocation_reason": "Synthetic revocation" if revoked else "",
        "superseded_at": None, "superseded_by_id": None, "pdf": None, "pdf_sha256": None,
        "credential": None,
    })


def _advance_sequences(session: AnySession, ids: Iterable[Any]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the new rows."""
    for model in ids:
        table = model.__tablename__
        # Table names come from the models, never from input.
        statement = (f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                     f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")  # nosec B608
        session.execute(text(statement))
