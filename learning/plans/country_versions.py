"""Versions of a country plan: snapshots, what changed between two of them, and stale saves.

A snapshot is the whole plan as plain JSON values (text, numbers, ISO dates, money as
strings with two decimals), with rows keyed by their id::

    {"context": {...}, "targets": {...}, "follow_up": {...},
     "activities": {"12": {...}}, "budget": {"3": {...}}, "risks": {"5": {...}}}

Every save carries the version its editor saw. A save is stale when a field it sends was
changed by another save since that version and the editor's value differs from the saved
one: then nothing is written and the editor is shown, field by field, the value they saw,
the saved value and their own (:class:`StaleEdit`). Fields of other sections and rows do
not make a save stale, so a team can work on different parts of the plan at once, and
the autosaved texts of one page do not refuse each other. The rule is per form, not per
changed field, on purpose: after a save the form the editor has open matches the saved
plan for every field it shows, so its next save cannot undo someone else's change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from learning.accounts.models import User
from learning.db import db
from learning.plans import country_labels as labels
from learning.plans.country_models import (
    BudgetLine,
    CountryPlan,
    CountryPlanActivity,
    PlanRisk,
    PlanVersion,
    activity_dependencies,
)
from learning.plans.money import format_money

Snapshot = dict[str, Any]

SCALAR_SECTIONS: dict[str, tuple[str, ...]] = {
    "context": ("agencies", "supervisors_to_reach", "context_notes"),
    "targets": ("objectives", "target_trainings", "target_supervisors", "target_organisations",
                "target_locations"),
    "follow_up": ("call_frequency", "follow_up_plan"),
}
ROW_SECTIONS: dict[str, tuple[str, ...]] = {
    "activities": ("title", "category", "owner_name", "organisation", "start_date", "end_date",
                   "status", "depends_on"),
    "budget": ("item", "activity_id", "unit_cost", "quantity", "currency", "funding_status"),
    "risks": ("challenge", "description", "mitigation"),
}
SECTION_ORDER = tuple(labels.SECTIONS)


def json_value(value: Any) -> Any:
    """A field's value as stored in a snapshot, so stored and submitted values compare."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(value)
    return value


def _row(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: json_value(getattr(obj, name)) for name in names}


def snapshot(plan: CountryPlan) -> Snapshot:
    """The plan as it is in this transaction (rows are read afresh)."""
    activities = list(db.session.scalars(
        select(CountryPlanActivity).where(CountryPlanActivity.plan_id == plan.id)))
    depends: dict[int, list[int]] = {activity.id: [] for activity in activities}
    if depends:
        for activity_id, depends_on_id in db.session.execute(
                select(activity_dependencies.c.activity_id, activity_dependencies.c.depends_on_id)
                .where(activity_dependencies.c.activity_id.in_(depends))):
            depends[activity_id].append(depends_on_id)
    lines = db.session.scalars(select(BudgetLine).where(BudgetLine.plan_id == plan.id))
    risks = db.session.scalars(select(PlanRisk).where(PlanRisk.plan_id == plan.id))
    result: Snapshot = {section: _row(plan, names) for section, names in SCALAR_SECTIONS.items()}
    activity_fields = tuple(name for name in ROW_SECTIONS["activities"] if name != "depends_on")
    result["activities"] = {
        str(activity.id): {**_row(activity, activity_fields),
                           "depends_on": sorted(depends[activity.id])}
        for activity in activities}
    result["budget"] = {str(line.id): _row(line, ROW_SECTIONS["budget"]) for line in lines}
    result["risks"] = {str(risk.id): _row(risk, ROW_SECTIONS["risks"]) for risk in risks}
    return result


def part(snap: Snapshot, section: str, row_id: int | None = None) -> dict[str, Any] | None:
    """One section's fields, or one row's (None when the row is not in the snapshot)."""
    if section in SCALAR_SECTIONS:
        return snap.get(section, {})
    return snap.get(section, {}).get(str(row_id))


# --- what changed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One field changed, or (``name`` None) a whole row added or removed."""

    section: str
    row_id: str | None
    name: str | None
    before: Any
    after: Any


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    changes: list[Change] = []
    for section in SECTION_ORDER:
        if section in SCALAR_SECTIONS:
            old, new = before.get(section, {}), after.get(section, {})
            changes.extend(Change(section, None, name, old.get(name), new.get(name))
                           for name in SCALAR_SECTIONS[section] if old.get(name) != new.get(name))
            continue
        old_rows, new_rows = before.get(section, {}), after.get(section, {})
        for row_id in sorted(old_rows.keys() | new_rows.keys(), key=int):
            old_row, new_row = old_rows.get(row_id), new_rows.get(row_id)
            if old_row is None or new_row is None:
                changes.append(Change(section, row_id, None, old_row, new_row))
                continue
            changes.extend(Change(section, row_id, name, old_row.get(name), new_row.get(name))
                           for name in ROW_SECTIONS[section]
                           if old_row.get(name) != new_row.get(name))
    return changes


def changed_sections(changes: list[Change]) -> list[str]:
    return list(dict.fromkeys(change.section for change in changes))


# --- stale saves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """A field the editor sends that someone else changed since the version they saw."""

    section: str
    row_id: str | None
    name: str | None  # None: the whole row (it was removed, or changed before a removal)
    seen: Any
    saved: Any
    yours: Any
    yours_row: dict[str, Any] | None  # everything the editor sent (money needs its currency)


@dataclass(eq=False)
class StaleEdit(Exception):
    """Nothing was saved: the editor's version is behind on the fields they send."""

    seen_version: int
    current_version: int
    clashes: list[Clash]
    seen: Snapshot
    current: Snapshot
    authors: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return diff(self.seen, self.current)


def clashes(section: str, row_id: int | None, seen: dict[str, Any] | None,
            saved: dict[str, Any] | None, yours: dict[str, Any] | None) -> list[Clash]:
    """The editor's fields that another save changed to something else than theirs.

    ``yours`` None is a removal: stale when the row changed since it was seen. A row that
    is gone already clashes with an edit (the editor is told, not silently ignored)."""
    row = None if row_id is None else str(row_id)
    if seen is None:
        # A row created after the version the editor names: it cannot come from their page.
        seen = saved
    if yours is None:
        return [] if saved is None or saved == seen else [
            Clash(section, row, None, seen, saved, None, None)]
    if saved is None:
        return [Clash(section, row, None, seen, None, yours, yours)]
    return [Clash(section, row, name, (seen or {}).get(name), saved.get(name), value, yours)
            for name, value in yours.items()
            if saved.get(name) != (seen or {}).get(name) and value != saved.get(name)]


# --- in words, in the reader's language ---------------------------------------------------------


@dataclass(frozen=True)
class ReadableChange:
    section: str
    section_label: str
    row_label: str  # the activity, budget item or risk the field belongs to; "" otherwise
    field_label: str  # "" for a whole row added or removed
    before: str
    after: str
    kind: str  # "changed", "added", "removed"


def _row_label(section: str, row: dict[str, Any] | None) -> str:
    if not row:
        return ""
    if section == "activities":
        return str(row.get("title") or "")
    if section == "budget":
        return str(row.get("item") or "")
    return str(labels.CHALLENGE.get(row.get("challenge") or "", row.get("challenge") or ""))


def _activity_title(activity_id: Any, *snaps: Snapshot) -> str:
    for snap in snaps:
        row = snap.get("activities", {}).get(str(activity_id))
        if row:
            return str(row.get("title") or "")
    return _("a removed activity")


def value_text(section: str, name: str, value: Any, row: dict[str, Any] | None,
               *snaps: Snapshot) -> str:
    """A field's value as the reader should see it (labels, dates, numbers, money)."""
    if value is None or value == "" or value == []:
        return _("(empty)")
    choices = labels.CHOICE_LABELS.get((section, name))
    if choices is not None:
        return str(choices.get(value, value))
    if name in ("start_date", "end_date"):
        return format_date(date.fromisoformat(value), "medium")
    if name == "unit_cost":
        return format_money(Decimal(value), (row or {}).get("currency") or "")
    if name == "quantity":
        return format_decimal(Decimal(value))
    if name == "activity_id":
        return _activity_title(value, *snaps)
    if name == "depends_on":
        return ", ".join(_activity_title(item, *snaps) for item in value)
    if isinstance(value, int):
        return format_decimal(value)
    return str(value)


def row_text(section: str, row: dict[str, Any], *snaps: Snapshot) -> str:
    """A whole row on one line: "Activity: …; Owner: …"."""
    names = labels.FIELDS[section]
    return "; ".join(
        _("%(field)s: %(value)s", field=names[name],
          value=value_text(section, name, row.get(name), row, *snaps))
        for name in ROW_SECTIONS[section] if row.get(name) not in (None, "", []))


def readable(changes: list[Change], before: Snapshot, after: Snapshot) -> list[ReadableChange]:
    result = []
    for change in changes:
        section_label = str(labels.SECTIONS[change.section])
        if change.name is None:
            row = change.after if change.after is not None else change.before
            kind = "added" if change.before is None else "removed"
            text = row_text(change.section, row, after, before)
            result.append(ReadableChange(
                change.section, section_label, _row_label(change.section, row), "",
                text if kind == "removed" else "", text if kind == "added" else "", kind))
            continue
        old_row = part(before, change.section, _int(change.row_id))
        new_row = part(after, change.section, _int(change.row_id))
        result.append(ReadableChange(
            change.section, section_label, _row_label(change.section, new_row or old_row)
            if change.row_id else "",
            str(labels.FIELDS[change.section][change.name]),
            value_text(change.section, change.name, change.before, old_row, before, after),
            value_text(change.section, change.name, change.after, new_row, after, before),
            "changed"))
    return result


@dataclass(frozen=True)
class ReadableClash:
    section_label: str
    row_label: str
    field_label: str
    seen: str
    saved: str
    yours: str


def readable_clashes(stale: StaleEdit) -> list[ReadableClash]:
    result = []
    snaps = (stale.current, stale.seen)
    for clash in stale.clashes:
        seen_row = part(stale.seen, clash.section, _int(clash.row_id))
        saved_row = part(stale.current, clash.section, _int(clash.row_id))
        section_label = str(labels.SECTIONS[clash.section])
        row_label = _row_label(clash.section, saved_row or seen_row) if clash.row_id else ""
        if clash.name is None:
            removed = _("(removed)")
            result.append(ReadableClash(
                section_label, row_label, "",
                row_text(clash.section, clash.seen, *snaps) if clash.seen else removed,
                row_text(clash.section, clash.saved, *snaps) if clash.saved else removed,
                row_text(clash.section, clash.yours, *snaps) if clash.yours else removed))
            continue
        result.append(ReadableClash(
            section_label, row_label, str(labels.FIELDS[clash.section][clash.name]),
            value_text(clash.section, clash.name, clash.seen, seen_row, *snaps),
            value_text(clash.section, clash.name, clash.saved, saved_row, *snaps),
            value_text(clash.section, clash.name, clash.yours, clash.yours_row, *snaps)))
    return result


def _int(row_id: str | None) -> int | None:
    return None if row_id is None else int(row_id)


# --- the history ------------------------------------------------------------------------------

HISTORY_PAGE_SIZE = 30


@dataclass(frozen=True)
class VersionEntry:
    number: int
    author_name: str | None  # None once the author's account is gone
    created_at: datetime
    sections: list[str]  # the sections this version changed (none for the first)
    snapshot: Snapshot


def history(plan_id: int, page: int = 1) -> tuple[list[VersionEntry], bool]:
    """Versions newest first, each with the sections it changed; and whether more follow."""
    rows = db.session.execute(
        select(PlanVersion.number, PlanVersion.snapshot, PlanVersion.created_at, User.name)
        .outerjoin(User, User.id == PlanVersion.author_id)
        .where(PlanVersion.plan_id == plan_id)
        .order_by(PlanVersion.number.desc())
        .offset((page - 1) * HISTORY_PAGE_SIZE).limit(HISTORY_PAGE_SIZE + 1)).all()
    entries = []
    for index, row in enumerate(rows[:HISTORY_PAGE_SIZE]):
        previous = rows[index + 1].snapshot if index + 1 < len(rows) else None
        sections = changed_sections(diff(previous, row.snapshot)) if previous is not None else []
        entries.append(VersionEntry(row.number, row.name, row.created_at, sections,
                                    row.snapshot))
    return entries, len(rows) > HISTORY_PAGE_SIZE


def version_entry(plan_id: int, number: int) -> VersionEntry | None:
    row = db.session.execute(
        select(PlanVersion.number, PlanVersion.snapshot, PlanVersion.created_at, User.name)
        .outerjoin(User, User.id == PlanVersion.author_id)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.number == number)).first()
    if row is None:
        return None
    return VersionEntry(row.number, row.name, row.created_at, [], row.snapshot)
