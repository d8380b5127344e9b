"""The certificate rules of a cohort, and where each person stands on each of them.

A cohort's ``settings["certificate_rules"]`` lists the rules that apply (missing: all of
them, as in the programme). The facts behind the rules are read for many people at once —
one query per kind of fact, whatever the number of people — so the participant's checklist
and the staff's "pending" list answer the same way from the same code:

- ``precourse_done``: every pre-course part done (courses.steps: every section of the unit
  a participant sees is completed);
- ``post_test_taken``: a knowledge test submitted for the purpose ``post``;
- ``modules_done``: modules 1–4 done (the first four units of kind ``module``);
- ``plan_item_per_module``: at least one action-plan item for each of those modules;
- ``training_report_approved``: at least one in-country training of this cohort, led or
  co-led, whose report is approved.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from flask_babel import LazyString, lazy_ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from learning.assessments import banks
from learning.assessments.models import Attempt, AttemptStatus, Purpose
from learning.cohorts.models import Cohort
from learning.content.schema import Catalogue, Unit
from learning.courses.steps import done_units_query
from learning.db import db
from learning.plans.models import ActionPlanItem
from learning.rollout.models import ReportStatus, Training, TrainingCoTrainer, TrainingReport

PRECOURSE_DONE = "precourse_done"
POST_TEST_TAKEN = "post_test_taken"
MODULES_DONE = "modules_done"
PLAN_ITEM_PER_MODULE = "plan_item_per_module"
TRAINING_REPORT_APPROVED = "training_report_approved"

# Every rule, in the order a participant meets them; the default of every cohort.
RULES: tuple[str, ...] = (PRECOURSE_DONE, POST_TEST_TAKEN, MODULES_DONE, PLAN_ITEM_PER_MODULE,
                          TRAINING_REPORT_APPROVED)
RULES_SETTING = "certificate_rules"
LANGUAGES_SETTING = "certificate_languages"
PARTICIPANT_LANGUAGE = "participant"
BOTH_LANGUAGES = "both"
LANGUAGE_MODES: tuple[str, ...] = (PARTICIPANT_LANGUAGE, BOTH_LANGUAGES)
CERTIFIED_MODULES = 4  # "modules 1–4"

RULE_LABELS = {
    PRECOURSE_DONE: _l("Every pre-course part done"),
    POST_TEST_TAKEN: _l("Post-test taken"),
    MODULES_DONE: _l("Modules 1 to 4 done"),
    PLAN_ITEM_PER_MODULE: _l("At least one action-plan item for each module"),
    TRAINING_REPORT_APPROVED: _l("At least one in-country training with an approved report"),
}


def rule_label(rule_id: str) -> str:
    return str(RULE_LABELS[rule_id])


def enabled_rules(cohort: Cohort) -> tuple[str, ...]:
    """The rules that apply in ``cohort``, in programme order (unknown ids are ignored)."""
    chosen = (cohort.settings or {}).get(RULES_SETTING)
    if not isinstance(chosen, list):
        return RULES
    return tuple(rule for rule in RULES if rule in chosen)


def language_mode(cohort: Cohort) -> str:
    mode = (cohort.settings or {}).get(LANGUAGES_SETTING)
    return mode if mode in LANGUAGE_MODES else PARTICIPANT_LANGUAGE


@dataclass(frozen=True)
class CourseShape:
    """The units the rules count, read once from the catalogue."""

    precourse: tuple[Unit, ...]
    modules: tuple[Unit, ...]  # modules 1–4 (fewer if the course has fewer)
    post_tests: tuple[str, ...]  # ids of the knowledge-test banks

    @classmethod
    def of(cls, catalogue: Catalogue) -> CourseShape:
        ordered = sorted(catalogue.units, key=lambda unit: unit.order)
        return cls(
            precourse=tuple(unit for unit in ordered if unit.kind == "precourse"),
            modules=tuple(unit for unit in ordered if unit.kind == "module")[:CERTIFIED_MODULES],
            post_tests=tuple(bank.id for bank in catalogue.quizzes.values()
                             if banks.kind_of(bank) == banks.Kind.KNOWLEDGE_TEST),
        )


@dataclass
class Facts:
    """What one person has done that the rules look at."""

    done_units: set[str] = field(default_factory=set)
    post_test: bool = False
    plan_units: set[str] = field(default_factory=set)
    approved_trainings: int = 0
    people_trained: int = 0


@dataclass(frozen=True)
class RuleProgress:
    rule: str
    met: bool
    # Lazy: evaluation runs outside requests too (a signal, a job); pages render them in the
    # reader's language.
    label: LazyString
    progress: LazyString  # the person's own progress, e.g. "3 of 4 modules done"


def facts_for(catalogue: Catalogue, cohort_id: int, user_ids: Collection[int]) -> dict[int, Facts]:
    """The facts of each of ``user_ids`` (four queries, whatever their number)."""
    ids = sorted(set(user_ids))
    facts = {user_id: Facts() for user_id in ids}
    if not ids:
        return facts
    shape = CourseShape.of(catalogue)
    for user_id, unit_id in db.session.execute(done_units_query(catalogue, ids)).tuples():
        facts[user_id].done_units.add(unit_id)
    if shape.post_tests:
        for user_id in db.session.scalars(
                select(Attempt.user_id).distinct()
                .where(Attempt.user_id.in_(ids), Attempt.bank_id.in_(shape.post_tests),
                       Attempt.purpose == Purpose.POST,
                       Attempt.status == AttemptStatus.SUBMITTED)):
            facts[user_id].post_test = True
    for user_id, unit_id in db.session.execute(
            select(ActionPlanItem.user_id, ActionPlanItem.unit_id).distinct()
            .where(ActionPlanItem.user_id.in_(ids))).tuples():
        facts[user_id].plan_units.add(unit_id)
    _count_trainings(cohort_id, ids, facts)
    return facts


def _count_trainings(cohort_id: int, ids: list[int], facts: dict[int, Facts]) -> None:
    """Approved trainings of the cohort each person led or co-led, and the people trained."""
    led = (select(Training.id.label("training_id"), Training.trainer_id.label("user_id"))
           .where(Training.cohort_id == cohort_id, Training.trainer_id.in_(ids)))
    co_led = (select(TrainingCoTrainer.training_id, TrainingCoTrainer.user_id)
              .join(Training, Training.id == TrainingCoTrainer.training_id)
              .where(Training.cohort_id == cohort_id, TrainingCoTrainer.user_id.in_(ids)))
    delivered = led.union(co_led).subquery()
    rows = db.session.execute(
        select(delivered.c.user_id, Training)
        .join(Training, Training.id == delivered.c.training_id)
        .join(TrainingReport, TrainingReport.training_id == Training.id)
        .where(TrainingReport.status == ReportStatus.APPROVED)).tuples()
    for user_id, training in rows:
        facts[user_id].approved_trainings += 1
        facts[user_id].people_trained += training.participants_total


def progress(shape: CourseShape, rules: Collection[str], facts: Facts) -> list[RuleProgress]:
    """Each of ``rules`` with whether it is met and the person's own progress."""
    checks: list[RuleProgress] = []
    for rule in RULES:
        if rule not in rules:
            continue
        met, text = _check(shape, rule, facts)
        checks.append(RuleProgress(rule, met, RULE_LABELS[rule], text))
    return checks


def _check(shape: CourseShape, rule: str, facts: Facts) -> tuple[bool, LazyString]:
    if rule == PRECOURSE_DONE:
        done = sum(1 for unit in shape.precourse if unit.id in facts.done_units)
        total = len(shape.precourse)
        return done == total, _l("%(done)d of %(total)d pre-course parts done",
                                done=done, total=total)
    if rule == POST_TEST_TAKEN:
        if not shape.post_tests:  # a course without a knowledge test cannot ask for one
            return True, _l("This course has no post-test.")
        return facts.post_test, (_l("Submitted") if facts.post_test else _l("Not submitted yet"))
    if rule == MODULES_DONE:
        done = sum(1 for unit in shape.modules if unit.id in facts.done_units)
        total = len(shape.modules)
        return done == total, _l("%(done)d of %(total)d modules done", done=done, total=total)
    if rule == PLAN_ITEM_PER_MODULE:
        done = sum(1 for unit in shape.modules if unit.id in facts.plan_units)
        total = len(shape.modules)
        return done == total, _l("Items for %(done)d of %(total)d modules", done=done,
                                 total=total)
    if rule == TRAINING_REPORT_APPROVED:
        count = facts.approved_trainings
        return count > 0, lazy_ngettext("%(num)d approved report", "%(num)d approved reports",
                                        count)
    raise ValueError(f"unknown certificate rule {rule!r}")


def module_numbers_done(shape: CourseShape, facts: Facts) -> list[int]:
    return [number for number, unit in enumerate(shape.modules, start=1)
            if unit.id in facts.done_units]


def people_by_cohort(pairs: Collection[tuple[int, int]]) -> dict[int, list[int]]:
    """(user id, cohort id) pairs grouped by cohort, for :func:`facts_for`."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for user_id, cohort_id in pairs:
        grouped[cohort_id].append(user_id)
    return grouped
