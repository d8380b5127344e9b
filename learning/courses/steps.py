"""The steps a participant completes, in one registry: who has done which.

The cohort progress table, the reminders and the certificate rules ask the same two
questions — which steps the course has, and who has done each — so they all ask here.

- Unit steps (each pre-course part, each module) come from the catalogue and are measured
  on section progress: a unit is done when every section a participant sees in it
  (facilitator notes excluded) is completed. Step id = unit id, a stable content id.
- Steps measured by another domain (the pre-evaluation is a test of the assessments
  engine) are answered by a provider that domain registers with
  :func:`register_step_provider`. Until one is registered, the step does not exist for
  the table or the reminders (no column, no reminder) rather than showing everyone as
  "not done".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import Select, case, false, func, select

from learning.content.schema import Catalogue, Unit
from learning.courses.models import SectionProgress
from learning.db import db

PRE_EVALUATION = "pre-evaluation"

# Given the ids of some people, the ids of those among them who have done the step.
StepProvider = Callable[[Collection[int]], set[int]]
UserIds = Collection[int] | Select[tuple[int]]

# Steps other domains measure, in course order. Only these ids may get a provider, so a
# typo in a registration fails at start-up instead of adding a column nobody expects.
PROVIDED_STEPS: tuple[str, ...] = (PRE_EVALUATION,)

_providers: dict[str, StepProvider] = {}


class StepKind(StrEnum):
    PRE_EVALUATION = "pre-evaluation"
    PRECOURSE = "precourse"
    MODULE = "module"


@dataclass(frozen=True)
class Step:
    id: str
    kind: StepKind
    number: int  # 1-based within its kind: pre-course part 2, module 3
    unit: Unit | None  # None for steps another domain measures

    @property
    def before_deadline(self) -> bool:
        """Due by the cohort's pre-course deadline (and so reminded about)."""
        return self.kind in (StepKind.PRE_EVALUATION, StepKind.PRECOURSE)

    def label(self) -> str:
        """The step's name in the current locale (a recipient's, when rendering e-mail)."""
        if self.kind == StepKind.PRE_EVALUATION:
            return _("Pre-evaluation")
        if self.kind == StepKind.PRECOURSE:
            return _("Pre-course part %(n)d", n=self.number)
        return _("Module %(n)d", n=self.number)


def register_step_provider(step_id: str, provider: StepProvider) -> None:
    """Let another domain answer "who has done ``step_id``" (e.g. the assessments engine
    registers the pre-evaluation when its pre-test exists)."""
    if step_id not in PROVIDED_STEPS:
        raise ValueError(f"{step_id!r} is not a step measured outside the course reader")
    _providers[step_id] = provider


def has_provider(step_id: str) -> bool:
    return step_id in _providers


def pre_evaluation_done(user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` who have done the pre-evaluation.

    Raises ``LookupError`` while no provider is registered: callers show the column only
    when :func:`has_provider` says so, and must not report "nobody did it" instead.
    """
    return _provided(PRE_EVALUATION, user_ids)


def _provided(step_id: str, user_ids: Collection[int]) -> set[int]:
    provider = _providers.get(step_id)
    if provider is None:
        raise LookupError(f"no provider registered for step {step_id!r}")
    return provider(user_ids) if user_ids else set()


def course_steps(catalogue: Catalogue) -> tuple[Step, ...]:
    """Every step that can be measured now, in course order."""
    steps = [Step(step_id, StepKind.PRE_EVALUATION, 1, None)
             for step_id in PROVIDED_STEPS if has_provider(step_id)]
    numbers: Counter[str] = Counter()
    for unit in sorted(catalogue.units, key=lambda unit: unit.order):
        kind = StepKind.PRECOURSE if unit.kind == "precourse" else StepKind.MODULE
        numbers[kind] += 1
        steps.append(Step(unit.id, kind, numbers[kind], unit))
    return tuple(steps)


def step_by_id(catalogue: Catalogue, step_id: str) -> Step | None:
    return next((step for step in course_steps(catalogue) if step.id == step_id), None)


def done_units_query(catalogue: Catalogue, user_ids: UserIds) -> Select[tuple[int, str]]:
    """(user_id, unit_id) for every unit each of ``user_ids`` has completed, counted in SQL.

    A section counts for the unit it belongs to in the current catalogue (not the unit
    recorded on the row), and sections no longer in the course do not count, as on the
    participant's own pages.
    """
    unit_of_section = {section.id: unit.id for unit in catalogue.units
                       for section in unit.visible_sections(include_facilitator_notes=False)}
    if not unit_of_section:
        return select(SectionProgress.user_id, SectionProgress.unit_id).where(false())
    required = Counter(unit_of_section.values())
    completed = (
        select(SectionProgress.user_id.label("user_id"),
               case(unit_of_section, value=SectionProgress.section_id).label("unit_id"))
        .where(SectionProgress.user_id.in_(user_ids),
               SectionProgress.section_id.in_(list(unit_of_section)),
               SectionProgress.completed_at.is_not(None))
        .subquery("completed_sections")
    )
    # One row per (user, section) is guaranteed by the unique constraint, so a plain count
    # per unit compared with the unit's number of sections says "done".
    return (select(completed.c.user_id, completed.c.unit_id)
            .group_by(completed.c.user_id, completed.c.unit_id)
            .having(func.count() == case(dict(required), value=completed.c.unit_id)))


def completed_by(catalogue: Catalogue, step: Step, user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` who have done ``step``."""
    if step.unit is None:
        return _provided(step.id, user_ids)
    if not user_ids:
        return set()
    done = done_units_query(catalogue, user_ids).subquery()
    return set(db.session.scalars(select(done.c.user_id).where(done.c.unit_id == step.unit.id)))
