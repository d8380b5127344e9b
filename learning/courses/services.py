"""Reader rules: progress per section, reflections, resuming, deadlines.

Writes are idempotent (``learning.core.writes.run_once``); progress only moves forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.content.schema import Catalogue, Reflection, Section, Unit
from learning.core.writes import InvalidWrite
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db, utcnow

MAX_REFLECTION_CHARS = 20_000
EVENTS = ("opened", "completed")


def sees_facilitator_notes(user: User) -> bool:
    return user.role in (Role.FACILITATOR, Role.ADMIN)


def visible_sections(catalogue: Catalogue, unit: Unit, user: User) -> tuple[Section, ...]:
    return unit.visible_sections(include_facilitator_notes=sees_facilitator_notes(user))


# --- idempotent writes ------------------------------------------------------------------------


# --- progress -----------------------------------------------------------------------------


class ProgressRow(Protocol):
    section_id: str
    completed_at: datetime | None
    last_seen_at: datetime


def progress_by_section(user: User, unit_id: str | None = None) -> dict[str, ProgressRow]:
    # Plain rows, not ORM objects: this runs on every reader page.
    query = select(SectionProgress.section_id, SectionProgress.completed_at,
                   SectionProgress.last_seen_at).where(SectionProgress.user_id == user.id)
    if unit_id is not None:
        query = query.where(SectionProgress.unit_id == unit_id)
    return {row.section_id: row for row in db.session.execute(query)}


def record_event(user: User, section: Section, event: str) -> dict[str, Any]:
    if event not in EVENTS:
        raise InvalidWrite("event")
    row = db.session.scalar(select(SectionProgress).where(
        SectionProgress.user_id == user.id, SectionProgress.section_id == section.id))
    now = utcnow()
    if row is None:
        row = SectionProgress(user_id=user.id, unit_id=section.unit_id, section_id=section.id,
                              content_version=section.version, opened_at=now, last_seen_at=now)
        db.session.add(row)
    row.last_seen_at = now
    row.content_version = section.version
    if event == "completed" and row.completed_at is None:
        row.completed_at = now
    db.session.flush()
    return {
        "ok": True,
        "section": section.id,
        "completed": row.completed_at is not None,
        "completed_at": row.completed_at.isoformat() if row.completed_at else None,
    }


@dataclass(frozen=True)
class UnitProgress:
    unit: Unit
    sections: tuple[Section, ...]
    completed: frozenset[str]
    next_section: Section | None

    @property
    def done(self) -> int:
        return len(self.completed)

    @property
    def total(self) -> int:
        return len(self.sections)

    @property
    def ratio(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def minutes_left(self) -> int:
        return sum(s.minutes for s in self.sections if s.id not in self.completed)


def progress_in_unit(unit: Unit, user: User,
                     progress: dict[str, ProgressRow]) -> UnitProgress:
    sections = unit.visible_sections(include_facilitator_notes=sees_facilitator_notes(user))
    # Sections whose id disappeared from the course do not count; the rows stay.
    completed = frozenset(s.id for s in sections
                          if s.id in progress and progress[s.id].completed_at is not None)
    next_section = next((s for s in sections if s.id not in completed), None)
    return UnitProgress(unit, sections, completed, next_section)


def unit_progress(catalogue: Catalogue, user: User,
                  progress: dict[str, ProgressRow] | None = None) -> list[UnitProgress]:
    progress = progress if progress is not None else progress_by_section(user)
    return [progress_in_unit(unit, user, progress) for unit in catalogue.units]


def resume_target(catalogue: Catalogue, user: User) -> Section | None:
    """Where the person stopped: the last section they opened if unfinished, else the
    first unfinished section of the course."""
    progress = progress_by_section(user)
    open_rows = sorted((row for row in progress.values() if row.completed_at is None
                        and catalogue.section(row.section_id) is not None),
                       key=lambda row: row.last_seen_at, reverse=True)
    for row in open_rows:
        section = catalogue.section(row.section_id)
        if section is not None and (not section.facilitator_only or sees_facilitator_notes(user)):
            return section
    for summary in unit_progress(catalogue, user, progress):
        if summary.next_section is not None:
            return summary.next_section
    return None


# --- reflections ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SavedReflection:
    text: str
    revision: int


def reflection_answers(user: User, reflection_ids: list[str]) -> dict[str, SavedReflection]:
    if not reflection_ids:
        return {}
    # Plain rows, not ORM objects: this runs on every section page.
    rows = db.session.execute(
        select(ReflectionAnswer.reflection_id, ReflectionAnswer.text, ReflectionAnswer.revision)
        .where(ReflectionAnswer.user_id == user.id,
               ReflectionAnswer.reflection_id.in_(reflection_ids)))
    return {row.reflection_id: SavedReflection(row.text, row.revision) for row in rows}


def find_reflection(catalogue: Catalogue, reflection_id: str) -> tuple[Section, Reflection] | None:
    for section in catalogue.all_sections():
        for reflection in section.reflections:
            if reflection.id == reflection_id:
                return section, reflection
    return None


def clean_text(text: str) -> str:
    if "\x00" in text:
        raise InvalidWrite("nul")
    if len(text) > MAX_REFLECTION_CHARS:
        raise InvalidWrite("too_long")
    return text.replace("\r\n", "\n")


def save_reflection(user: User, section: Section, reflection: Reflection, text: str,
                    base_revision: int | None) -> dict[str, Any]:
    """Later save wins; a save made from an older revision is told it replaced newer text."""
    text = clean_text(text)
    row = db.session.scalar(select(ReflectionAnswer).where(
        ReflectionAnswer.user_id == user.id, ReflectionAnswer.reflection_id == reflection.id))
    if row is None:
        row = ReflectionAnswer(user_id=user.id, section_id=section.id,
                               reflection_id=reflection.id, text="", revision=0)
        db.session.add(row)
    behind = base_revision is not None and base_revision < row.revision and row.text != text
    row.text = text
    row.revision = (row.revision or 0) + 1
    row.updated_at = utcnow()
    db.session.flush()
    return {"ok": True, "reflection": reflection.id, "revision": row.revision,
            "saved_at": row.updated_at.isoformat(), "replaced_newer": behind}


# --- deadlines ------------------------------------------------------------------------------


def active_cohorts(user: User) -> list[Cohort]:
    rows = db.session.scalars(
        select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .where(Enrolment.user_id == user.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .order_by(Cohort.start_date))
    return list(rows)


def next_deadline(user: User, today: date) -> tuple[Cohort, int] | None:
    """The nearest pre-course deadline still ahead (or today), with the days left."""
    upcoming = [(cohort, (cohort.precourse_deadline - today).days)
                for cohort in active_cohorts(user)
                if cohort.precourse_deadline and cohort.precourse_deadline >= today]
    return min(upcoming, key=lambda item: item[1]) if upcoming else None
