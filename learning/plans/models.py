"""The individual supervision action plan: items added after each module, and comments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.accounts.models import _enum
from learning.db import Base, UTCDateTime, utcnow


class PlanFunction(StrEnum):
    """The supervision function an action strengthens, or staff well-being."""

    ADMINISTRATIVE = "administrative"
    EDUCATIONAL = "educational"
    SUPPORTIVE = "supportive"
    WELLBEING = "wellbeing"


class PlanStatus(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"
    DROPPED = "dropped"


class ActionPlanItem(Base):
    __tablename__ = "action_plan_items"
    __table_args__ = (UniqueConstraint("user_id", "client_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Chosen by the browser when the item is first typed, so a retried create adds one item.
    client_key: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(80))
    function: Mapped[PlanFunction] = mapped_column(_enum(PlanFunction, "plan_function"))
    action: Mapped[str] = mapped_column(Text, default="")
    first_steps: Mapped[str] = mapped_column(Text, default="")
    support_needed: Mapped[str] = mapped_column(Text, default="")
    target_date: Mapped[date | None] = mapped_column(Date)
    success_measure: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[PlanStatus] = mapped_column(_enum(PlanStatus, "plan_status"),
                                               default=PlanStatus.PLANNED)
    notes: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanComment(Base):
    """A facilitator's comment on a participant's plan (optionally on one item)."""

    __tablename__ = "plan_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("action_plan_items.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
