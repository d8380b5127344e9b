"""Action plan rules: a person's items by module and status, creating and editing them
without ever losing or duplicating text, and who may read a plan and comment on it.

- Creating is idempotent through the item's ``client_key`` (chosen when the add form is
  shown): a retried or double-submitted create returns the item the first one made.
- Editing follows the reflections' rule: the later save wins, and a save made from an older
  revision is answered ``replaced_newer: true`` so the tab that sent it can say so.
- A plan is read by its owner, by the facilitators of a cohort in which the owner has an
  active (not withdrawn) enrolment, and by admins (who oversee the whole platform, and may
  need to answer a participant's question about their data). Only those facilitators may
  comment. Focal points, coordinators and other participants never see a plan: for them it
  is not found.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import Role, User
from learning.cohorts.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus
from learning.content.schema import Catalogue, Unit
from learning.db import db, utcnow
from learning.notifications.services import notify
from learning.plans.models import ActionPlanItem, PlanComment, PlanFunction, PlanStatus

MAX_ACTION_CHARS = 1000
MAX_TEXT_CHARS = 4000
MODULE = "module"


@dataclass(frozen=True)
class ItemFields:
    """What a person writes in an item (everything but its module and keys)."""

    function: PlanFunction
    action: str
    first_steps: str = ""
    support_needed: str = ""
    target_date: date | None = None
    success_measure: str = ""
    status: PlanStatus = PlanStatus.PLANNED
    notes: str = ""

    @classmethod
    def of(cls, item: ActionPlanItem) -> ItemFields:
        return cls(**{name: getattr(item, name) for name in _FIELD_NAMES})


_FIELD_NAMES = tuple(f.name for f in fields(ItemFields))


def stored_values(item: ActionPlanItem) -> dict[str, str]:
    """The item as form values, so a post that leaves a field out keeps what is stored
    (a status change sent alone keeps its notes)."""
    values = ItemFields.of(item)
    return {
        name: ("" if value is None else value.isoformat() if isinstance(value, date)
               else str(value))
        for name, value in ((name, getattr(values, name)) for name in _FIELD_NAMES)
    }


def answer(item: ActionPlanItem, replaced_newer: bool = False) -> dict[str, Any]:
    return {"ok": True, "item": item.id, "revision": item.revision,
            "saved_at": item.updated_at.isoformat(), "replaced_newer": replaced_newer}


# --- the owner's plan ------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusGroup:
    status: PlanStatus
    items: tuple[ActionPlanItem, ...]


@dataclass(frozen=True)
class ModulePlan:
    """One module's part of a plan. ``unit`` is None for items whose module has left the
    course: they are kept and shown, never silently dropped."""

    unit: Unit | None
    groups: tuple[StatusGroup, ...]  # statuses that have items, in workflow order
    suggestions: tuple[str, ...] = ()
    intro: str = ""

    @property
    def items(self) -> tuple[ActionPlanItem, ...]:
        return tuple(item for group in self.groups for item in group.items)


def modules(catalogue: Catalogue) -> tuple[Unit, ...]:
    return tuple(unit for unit in catalogue.units if unit.kind == MODULE)


def module_ids(catalogue: Catalogue) -> frozenset[str]:
    return frozenset(unit.id for unit in modules(catalogue))


def _group(items: list[ActionPlanItem]) -> tuple[StatusGroup, ...]:
    return tuple(StatusGroup(status, tuple(i for i in items if i.status == status))
                 for status in PlanStatus if any(i.status == status for i in items))


def plan_by_module(catalogue: Catalogue, owner: User, language: str) -> list[ModulePlan]:
    """Every module of the course (with its suggestions, for the add forms), then any
    items from modules no longer in the course."""
    items = db.session.scalars(
        select(ActionPlanItem).where(ActionPlanItem.user_id == owner.id)
        .order_by(ActionPlanItem.created_at, ActionPlanItem.id))
    by_unit: dict[str, list[ActionPlanItem]] = defaultdict(list)
    for item in items:
        by_unit[item.unit_id].append(item)
    plan = []
    for unit in modules(catalogue):
        exercise = next((s for s in reversed(unit.sections) if s.has_action_plan), None)
        plan.append(ModulePlan(
            unit=unit,
            groups=_group(by_unit.pop(unit.id, [])),
            suggestions=exercise.action_plan_suggestions.get(language) if exercise else (),
            intro=exercise.action_plan_intro.get(language) if exercise else "",
        ))
    leftovers = [item for unit_items in by_unit.values() for item in unit_items]
    if leftovers:
        plan.append(ModulePlan(unit=None, groups=_group(leftovers)))
    return plan


def own_item(owner: User, item_id: int) -> ActionPlanItem | None:
    return db.session.scalar(select(ActionPlanItem).where(
        ActionPlanItem.id == item_id, ActionPlanItem.user_id == owner.id))


def create_item(owner: User, client_key: str, unit_id: str,
                values: ItemFields) -> tuple[ActionPlanItem, bool]:
    """The item made for this client key, and whether this call made it."""
    by_key = select(ActionPlanItem).where(ActionPlanItem.user_id == owner.id,
                                          ActionPlanItem.client_key == client_key)
    existing = db.session.scalar(by_key)
    if existing is not None:
        return existing, False
    now = utcnow()
    item = ActionPlanItem(user_id=owner.id, client_key=client_key, unit_id=unit_id, revision=1,
                          created_at=now, updated_at=now,
                          **{name: getattr(values, name) for name in _FIELD_NAMES})
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except IntegrityError:
        # The same create, retried while the first was still running, committed first.
        existing = db.session.scalar(by_key)
        if existing is None:
            raise
        return existing, False
    return item, True


def update_item(item: ActionPlanItem, values: ItemFields,
                base_revision: int | None) -> dict[str, Any]:
    """Later save wins; one made from an older revision is told it replaced newer text."""
    changed = ItemFields.of(item) != values
    replaced_newer = changed and base_revision is not None and base_revision < item.revision
    if changed:
        for name in _FIELD_NAMES:
            setattr(item, name, getattr(values, name))
        item.revision += 1
        item.updated_at = utcnow()
        db.session.flush()
    return answer(item, replaced_newer)


# --- reading someone else's plan, and comments ----------------------------------------------


@dataclass(frozen=True)
class PlanAccess:
    cohort: Cohort
    owner: User
    may_comment: bool


def plan_access(viewer: User, cohort_id: int, user_id: int) -> PlanAccess | None:
    """How ``viewer`` may see ``user_id``'s plan through this cohort; None: not at all."""
    if viewer.role not in (Role.FACILITATOR, Role.ADMIN):
        return None
    query = (
        select(Cohort, User)
        .join(Enrolment, Enrolment.cohort_id == Cohort.id)
        .join(User, User.id == Enrolment.user_id)
        .where(Cohort.id == cohort_id, User.id == user_id,
               Enrolment.status != EnrolmentStatus.WITHDRAWN)
    )
    if viewer.role == Role.FACILITATOR:
        query = query.where(exists().where(CohortFacilitator.cohort_id == Cohort.id,
                                           CohortFacilitator.user_id == viewer.id))
    row = db.session.execute(query).first()
    if row is None:
        return None
    cohort, owner = row
    return PlanAccess(cohort=cohort, owner=owner, may_comment=viewer.role == Role.FACILITATOR)


@dataclass(frozen=True)
class Comment:
    id: int
    item_id: int | None
    author_name: str | None  # None once the author's account is gone
    body: str
    created_at: datetime


@dataclass(frozen=True)
class Comments:
    general: tuple[Comment, ...] = ()
    by_item: dict[int, tuple[Comment, ...]] = field(default_factory=dict)


def comments_on(owner: User) -> Comments:
    rows = db.session.execute(
        select(PlanComment, User.name)
        .outerjoin(User, User.id == PlanComment.author_id)
        .where(PlanComment.owner_id == owner.id)
        .order_by(PlanComment.created_at, PlanComment.id))
    general: list[Comment] = []
    by_item: dict[int, list[Comment]] = defaultdict(list)
    for comment, author_name in rows:
        view = Comment(comment.id, comment.item_id, author_name, comment.body,
                       comment.created_at)
        (by_item[comment.item_id] if comment.item_id is not None else general).append(view)
    return Comments(tuple(general), {item_id: tuple(c) for item_id, c in by_item.items()})


def add_comment(author: User, owner: User, item: ActionPlanItem | None, body: str,
                link: str) -> dict[str, Any]:
    """Store the comment and tell the plan's owner, in their language."""
    comment = PlanComment(owner_id=owner.id, item_id=item.id if item else None,
                          author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    notify(owner, "plan_comment", link=link, author_name=author.name, comment=body,
           item_action=item.action if item else None)
    return {"ok": True, "comment": comment.id}
