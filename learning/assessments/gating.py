"""May this person take this bank now, for this purpose? Decided here and nowhere else.

- module quiz: any time once its unit is in the course; retakes allowed;
- knowledge test and confidence self-rating, before (``pre``): from enrolment until the
  person opens module 1 (cohort setting ``pre_test_closes_at_module_1``, default true);
- the same, after (``post``): once module 4 is done, i.e. every section of it that
  participants see is completed (cohort setting ``post_test_requires_module_4``, default
  true);
- learning-style questionnaire: once; best before module 1, never blocked for that;
- rating of a pre-course part: once, after that part is done;
- ToT evaluation and survey: once, for anyone enrolled.

Everything but quizzes is taken once: a submitted attempt closes the bank for that
purpose. "Module 1" and "module 4" are the first and fourth units of kind ``module`` in
course order, as the cohort progress table numbers them.

The facts are read once per request into a :class:`Situation`; :func:`gate` is then a pure
function of it, so the overview page decides for every instrument without more queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from learning.accounts.models import User
from learning.assessments.banks import Kind, kind_of, purposes_for
from learning.assessments.models import Attempt, AttemptStatus, Purpose
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.content.schema import Catalogue, QuestionBank, Unit
from learning.courses.models import SectionProgress
from learning.db import db

PRE_TEST_CLOSES_AT_MODULE_1 = "pre_test_closes_at_module_1"
POST_TEST_REQUIRES_MODULE_4 = "post_test_requires_module_4"

# Kinds anyone may take without being enrolled in a cohort.
OPEN_TO_ALL = frozenset({Kind.QUIZ, Kind.LEARNING_STYLE})


class Reason(StrEnum):
    """Why a bank cannot be taken now; the views turn each into a sentence."""

    NOT_ENROLLED = "not_enrolled"
    NO_UNIT = "no_unit"  # the bank's unit is not in the course
    MODULE_1_STARTED = "module_1_started"
    MODULE_4_NOT_DONE = "module_4_not_done"
    UNIT_NOT_DONE = "unit_not_done"
    ALREADY_DONE = "already_done"


@dataclass(frozen=True)
class Gate:
    reason: Reason | None = None

    @property
    def open(self) -> bool:
        return self.reason is None


OPEN = Gate()


@dataclass(frozen=True)
class Situation:
    """What gating needs to know about one person."""

    cohort: Cohort | None  # the cohort of their latest active enrolment
    started_units: frozenset[str]  # units with at least one section opened
    done_units: frozenset[str]  # units whose participant sections are all completed
    submitted: frozenset[tuple[str, Purpose]]  # (bank id, purpose) submitted at least once

    def setting(self, name: str) -> bool:
        settings = self.cohort.settings if self.cohort is not None else None
        return bool((settings or {}).get(name, True))


def current_cohort(user: User) -> Cohort | None:
    """The cohort of the person's latest active (not withdrawn) enrolment."""
    return db.session.scalar(
        select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Cohort.start_date.desc(), Cohort.id.desc()).limit(1))


def situation_of(user: User, catalogue: Catalogue) -> Situation:
    rows = db.session.execute(
        select(SectionProgress.section_id, SectionProgress.completed_at)
        .where(SectionProgress.user_id == user.id)).all()
    opened = {section_id for section_id, _completed in rows}
    completed = {section_id for section_id, completed_at in rows if completed_at is not None}
    started, done = set(), set()
    for unit in catalogue.units:
        if any(section.id in opened for section in unit.sections):
            started.add(unit.id)
        required = unit.visible_sections(include_facilitator_notes=False)
        if required and all(section.id in completed for section in required):
            done.add(unit.id)
    submitted = db.session.execute(
        select(Attempt.bank_id, Attempt.purpose).distinct()
        .where(Attempt.user_id == user.id, Attempt.status == AttemptStatus.SUBMITTED)).all()
    return Situation(
        cohort=current_cohort(user),
        started_units=frozenset(started),
        done_units=frozenset(done),
        submitted=frozenset((bank_id, purpose) for bank_id, purpose in submitted),
    )


def module(catalogue: Catalogue, number: int) -> Unit | None:
    """Module ``number`` (1-based): the units of kind ``module`` in course order."""
    modules = sorted((unit for unit in catalogue.units if unit.kind == "module"),
                     key=lambda unit: unit.order)
    return modules[number - 1] if 0 < number <= len(modules) else None


def gate(catalogue: Catalogue, situation: Situation, bank: QuestionBank,
         purpose: Purpose) -> Gate:
    """Whether the bank may be taken now for ``purpose`` (one of ``purposes_for(bank)``)."""
    kind = kind_of(bank)
    if kind is None or purpose not in purposes_for(bank):
        raise ValueError(f"{bank.id} is not taken for {purpose}")
    if kind == Kind.QUIZ:
        return OPEN if bank.unit_id and catalogue.unit(bank.unit_id) else Gate(Reason.NO_UNIT)
    if (bank.id, purpose) in situation.submitted:
        return Gate(Reason.ALREADY_DONE)
    if kind not in OPEN_TO_ALL and situation.cohort is None:
        return Gate(Reason.NOT_ENROLLED)
    if purpose == Purpose.PRE and situation.setting(PRE_TEST_CLOSES_AT_MODULE_1):
        first = module(catalogue, 1)
        if first is not None and first.id in situation.started_units:
            return Gate(Reason.MODULE_1_STARTED)
    if purpose == Purpose.POST and situation.setting(POST_TEST_REQUIRES_MODULE_4):
        fourth = module(catalogue, 4)
        if fourth is None or fourth.id not in situation.done_units:
            return Gate(Reason.MODULE_4_NOT_DONE)
    if kind == Kind.RATING:
        if not bank.unit_id or catalogue.unit(bank.unit_id) is None:
            return Gate(Reason.NO_UNIT)
        if bank.unit_id not in situation.done_units:
            return Gate(Reason.UNIT_NOT_DONE)
    return OPEN
