"""A small hand-made programme for the analytics tests (dashboards, exports, API, reports).

Usage (inside a test that has the ``app`` fixture)::

    from tests.analytics.analytics_world import build_world, STAFF_PASSWORD
    world = build_world(app)
    world.cohorts["alpha"]          # cohort id
    world.people["Alice Bizimana"]  # participant user id
    world.staff["focal_bi_ne"]      # a detached User who can sign in with STAFF_PASSWORD

What it holds (every row written through the models, as the app would leave it):

- cohorts ``alpha`` (countries BI, NE; facilitator ``fac_alpha``; pre-course deadline
  passed), ``beta`` (CD, BI; facilitator ``fac_beta``; deadline far ahead) and ``gamma``
  (TD, 3 people only: smaller than MIN_GROUP, no facilitator, no deadline);
- participants of several organisation types (or none), some withdrawn or alternates
  (never counted), some with one knowledge test or none, a retake that must not replace
  the first attempt, an attempt left open, confidence ratings before and/or after;
- staff: ``admin``, ``fac_alpha``, ``fac_beta``, ``focal_bi_ne`` (focal point of BI and
  NE), ``focal_cd``, ``coordinator_bi`` and ``participant`` (an ``alpha`` participant who
  can sign in).

:data:`PARTICIPANTS` is the specification; tests should still compute expectations from
the database rows (enrolments, section progress, attempts, answers), not from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Flask

from learning.accounts import services as accounts
from learning.accounts.models import Organisation, OrganisationType, Role, User
from learning.assessments.models import Answer, Attempt, AttemptStatus, Purpose
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db

STAFF_PASSWORD = "correct horse battery"  # the same as tests.conftest.PASSWORD
KNOWLEDGE_BANK = "knowledge-test"
CONFIDENCE_BANK = "confidence"
PART_1 = "precourse-1-case-management"
PART_2 = "precourse-2-supervision-introduction"

PRE_TEST_AT = datetime(2030, 2, 20, 9, tzinfo=UTC)
POST_TEST_AT = datetime(2030, 3, 6, 15, tzinfo=UTC)
PART_DONE_AT = {PART_1: datetime(2030, 1, 20, 10, tzinfo=UTC),
                PART_2: datetime(2030, 2, 5, 10, tzinfo=UTC)}

NGO, UN, GOV = (OrganisationType.NATIONAL_NGO, OrganisationType.UN_AGENCY,
                OrganisationType.GOVERNMENT)
CONFIRMED, NOMINATED = EnrolmentStatus.CONFIRMED, EnrolmentStatus.NOMINATED
WITHDRAWN, ALTERNATE = EnrolmentStatus.WITHDRAWN, EnrolmentStatus.ALTERNATE


@dataclass(frozen=True)
class Participant:
    name: str
    cohort: str  # slug
    country: str
    organisation_type: OrganisationType | None
    status: EnrolmentStatus
    parts: str  # pre-course parts fully done: "12", "1", "2" or ""
    pre: int | None  # knowledge pre-test: correct answers out of the form's questions
    post: int | None
    confidence_pre: int | None  # base self-rating (1–5) before; statements vary by ±1
    confidence_post: int | None


P = Participant
PARTICIPANTS: tuple[Participant, ...] = (
    # alpha, Burundi: 8 counted, 1 withdrawn, 1 alternate
    P("Alice Bizimana", "alpha", "BI", NGO, CONFIRMED, "12", 10, 20, 2, 4),
    P("Bosco Ndayishimiye", "alpha", "BI", NGO, CONFIRMED, "12", 14, 22, 3, 4),
    P("Claudine Irakoze", "alpha", "BI", GOV, CONFIRMED, "12", 8, 13, 2, 2),
    P("Didier Hakizimana", "alpha", "BI", UN, NOMINATED, "1", 12, None, 3, None),
    P("Esperance Niyonzima", "alpha", "BI", NGO, CONFIRMED, "12", 20, 24, 4, 5),
    P("Fabrice Nkurunziza", "alpha", "BI", None, CONFIRMED, "", None, None, None, None),
    P("Gloria Uwimana", "alpha", "BI", GOV, CONFIRMED, "12", 6, 19, 1, 3),
    P("Hervé Manirakiza", "alpha", "BI", NGO, NOMINATED, "2", None, 17, None, 3),
    P("Irène Withdrawn", "alpha", "BI", NGO, WITHDRAWN, "12", 25, 26, 5, 5),
    P("Jean Alternate", "alpha", "BI", UN, ALTERNATE, "1", 3, 4, 1, 1),
    # alpha, Niger: 6 counted
    P("Kadidja Moussa", "alpha", "NE", NGO, CONFIRMED, "12", 11, 18, 2, 3),
    P("Laouali Issa", "alpha", "NE", UN, CONFIRMED, "12", 9, 9, 3, 2),
    P("Mariama Abdou", "alpha", "NE", GOV, CONFIRMED, "1", 15, 21, 3, 4),
    P("Nafissa Harouna", "alpha", "NE", NGO, CONFIRMED, "12", 13, 20, 2, 4),
    P("Oumarou Sani", "alpha", "NE", None, NOMINATED, "", 7, None, 1, None),
    P("Ramatou Boubacar", "alpha", "NE", UN, CONFIRMED, "12", 18, 23, 4, 4),
    # beta, DR Congo: 7 counted
    P("Sylvie Mbuyi", "beta", "CD", NGO, CONFIRMED, "12", 16, 21, 3, 5),
    P("Trésor Kabila", "beta", "CD", NGO, CONFIRMED, "1", 12, 15, 2, 3),
    P("Ursule Tshibanda", "beta", "CD", UN, CONFIRMED, "", None, None, None, None),
    P("Victor Mukendi", "beta", "CD", GOV, NOMINATED, "12", 19, 25, 3, 4),
    P("Wivine Kalala", "beta", "CD", NGO, CONFIRMED, "12", 5, 16, 1, 3),
    P("Xavier Ilunga", "beta", "CD", GOV, CONFIRMED, "1", 10, None, 2, None),
    P("Yvette Ngalula", "beta", "CD", NGO, CONFIRMED, "12", 21, 22, 4, 3),
    # beta, Burundi: 2 counted (joins alpha's Burundians in a per-country breakdown)
    P("Zacharie Ntahe", "beta", "BI", UN, CONFIRMED, "12", 17, 24, 3, 5),
    P("Aline Ciza", "beta", "BI", NGO, CONFIRMED, "", 4, None, 2, None),
    # gamma, Chad: 3 counted — a group too small to be shown on its own
    P("Brahim Mahamat", "gamma", "TD", NGO, CONFIRMED, "12", 12, 18, 2, 4),
    P("Clarisse Djimet", "gamma", "TD", UN, CONFIRMED, "1", 9, 14, 3, 3),
    P("Daoud Abakar", "gamma", "TD", GOV, CONFIRMED, "", None, None, None, None),
)

# Tricky rows beside the plain ones: a retake of the pre-test that scored higher (the
# first attempt stays the baseline) and a post-test left open (not submitted, not counted).
RETAKE = ("Alice Bizimana", 25)
OPEN_POST = "Didier Hakizimana"

COHORTS = {
    "alpha": (("BI", "NE"), date(2020, 1, 15)),
    "beta": (("BI", "CD"), date(2099, 6, 30)),
    "gamma": (("TD",), None),
}


@dataclass
class World:
    cohorts: dict[str, int]  # slug -> id
    people: dict[str, int]  # participant name -> user id
    staff: dict[str, User]  # key -> detached user (signs in with STAFF_PASSWORD)


def build_world(app: Flask) -> World:
    """Write the whole programme in the app's database and return the ids."""
    with app.app_context():
        staff = _staff()
        cohorts = {}
        for slug, (countries, deadline) in COHORTS.items():
            facilitator = staff.get(f"fac_{slug}")
            cohort = Cohort(
                name=f"ToT {slug.title()}", slug=slug, start_date=date(2030, 3, 2),
                end_date=date(2030, 3, 6), precourse_deadline=deadline,
                countries=[CohortCountry(country_code=code) for code in countries],
                facilitators=[CohortFacilitator(user_id=facilitator.id)] if facilitator else [])
            db.session.add(cohort)
            db.session.flush()
            cohorts[slug] = cohort.id
        organisations = {
            kind: Organisation(name=f"{kind.value} organisation", type=kind, country_code=None)
            for kind in (NGO, UN, GOV)}
        db.session.add_all(organisations.values())
        people = {}
        for spec in PARTICIPANTS:
            user = (db.session.get(User, staff["participant"].id)
                    if spec.name == PARTICIPANTS[0].name else
                    User(email=_email(spec.name), name=spec.name, role=Role.PARTICIPANT,
                         country_code=spec.country))
            if spec.organisation_type is not None:
                user.organisation = organisations[spec.organisation_type]
            db.session.add(user)
            db.session.flush()
            people[spec.name] = user.id
            cohort_id = cohorts[spec.cohort]
            db.session.add(Enrolment(cohort_id=cohort_id, user_id=user.id, status=spec.status))
            _progress(user.id, spec.parts)
            _knowledge(user.id, cohort_id, spec)
            _confidence(user.id, cohort_id, spec)
        name, score = RETAKE
        _knowledge_attempt(people[name], cohorts["alpha"], Purpose.PRE, score, number=2)
        db.session.add(Attempt(
            user_id=people[OPEN_POST], cohort_id=cohorts["alpha"], bank_id=KNOWLEDGE_BANK,
            purpose=Purpose.POST, number=1, status=AttemptStatus.OPEN,
            open_key=f"{people[OPEN_POST]}:{KNOWLEDGE_BANK}:post"))
        db.session.commit()
        for user in staff.values():
            db.session.refresh(user)
            user.focal_country_codes  # noqa: B018 (loaded before detaching)
            db.session.expunge(user)
        return World(cohorts=cohorts, people=people, staff=staff)


def _email(name: str) -> str:
    ascii_name = name.encode("ascii", "ignore").decode().lower().replace(" ", ".")
    return f"{ascii_name}@example.org"


def _staff() -> dict[str, User]:
    def make(key: str, role: Role, country: str | None = None,
             focal: list[str] | None = None, name: str | None = None) -> User:
        return accounts.create_user(email=f"{key}@example.org", name=name or key, role=role,
                                    country_code=country, password=STAFF_PASSWORD,
                                    focal_countries=focal)

    return {
        "admin": make("admin", Role.ADMIN),
        "fac_alpha": make("fac_alpha", Role.FACILITATOR),
        "fac_beta": make("fac_beta", Role.FACILITATOR),
        "focal_bi_ne": make("focal_bi_ne", Role.FOCAL_POINT, focal=["BI", "NE"]),
        "focal_cd": make("focal_cd", Role.FOCAL_POINT, focal=["CD"]),
        "coordinator_bi": make("coordinator_bi", Role.COORDINATOR, country="BI"),
        # The first participant of PARTICIPANTS, who can sign in.
        "participant": make("participant", Role.PARTICIPANT, country=PARTICIPANTS[0].country,
                            name=PARTICIPANTS[0].name),
    }


def _progress(user_id: int, parts: str) -> None:
    catalogue = get_catalogue()
    for digit, unit_id in (("1", PART_1), ("2", PART_2)):
        unit = catalogue.unit(unit_id)
        assert unit is not None, unit_id
        sections = unit.visible_sections(include_facilitator_notes=False)
        # Not done: every section but the last, so "started" is not mistaken for "done".
        for section in sections if digit in parts else sections[:-1]:
            at = PART_DONE_AT[unit_id]
            db.session.add(SectionProgress(
                user_id=user_id, unit_id=unit_id, section_id=section.id,
                content_version=section.version, opened_at=at, last_seen_at=at,
                completed_at=at))


def _knowledge(user_id: int, cohort_id: int, spec: Participant) -> None:
    for purpose, correct in ((Purpose.PRE, spec.pre), (Purpose.POST, spec.post)):
        if correct is not None:
            _knowledge_attempt(user_id, cohort_id, purpose, correct)


def _knowledge_attempt(user_id: int, cohort_id: int, purpose: Purpose, correct: int,
                       number: int = 1) -> None:
    """A submitted knowledge test: the form's first ``correct`` questions right (1 point
    each), the others wrong, so objectives differ in their share correct."""
    bank = get_catalogue().quiz(KNOWLEDGE_BANK)
    assert bank is not None
    form = [qid for qid in bank.raw["forms"][purpose.value]]
    submitted_at = PRE_TEST_AT if purpose == Purpose.PRE else POST_TEST_AT
    attempt = Attempt(
        user_id=user_id, cohort_id=cohort_id, bank_id=KNOWLEDGE_BANK, purpose=purpose,
        number=number, status=AttemptStatus.SUBMITTED, form=purpose.value,
        submitted_at=submitted_at, started_at=submitted_at,
        score=float(correct), max_score=float(len(form)), percent=100 * correct / len(form),
        answers=[Answer(question_id=qid, value="a", points=1.0 if index < correct else 0.0)
                 for index, qid in enumerate(form)])
    db.session.add(attempt)


def _confidence(user_id: int, cohort_id: int, spec: Participant) -> None:
    bank = get_catalogue().quiz(CONFIDENCE_BANK)
    assert bank is not None
    statements = [question.id for question in bank.questions if question.type == "rating"]
    for purpose, base in ((Purpose.PRE, spec.confidence_pre),
                          (Purpose.POST, spec.confidence_post)):
        if base is None:
            continue
        at = PRE_TEST_AT if purpose == Purpose.PRE else POST_TEST_AT
        ratings = [min(5, max(1, base + (index % 3) - 1)) for index in range(len(statements))]
        db.session.add(Attempt(
            user_id=user_id, cohort_id=cohort_id, bank_id=CONFIDENCE_BANK, purpose=purpose,
            number=1, status=AttemptStatus.SUBMITTED, submitted_at=at, started_at=at,
            answers=[Answer(question_id=qid, value=rating)
                     for qid, rating in zip(statements, ratings, strict=True)]))
