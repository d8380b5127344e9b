"""The country roll-out plan: one per cohort and country team, costed, reviewed by the
country's focal points, with every saved version kept.

``CountryPlan.version`` goes up by one on every save that changes something, and
``PlanVersion`` keeps a JSON snapshot of the whole plan for each number: the history, and
what a stale save is compared with (see ``country_versions``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from learning.accounts.models import _enum
from learning.db import Base, UTCDateTime, utcnow
from learning.plans.money import line_total


class CountryPlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class CallFrequency(StrEnum):
    """How often the team and the focal point plan to talk (monthly calls in the programme)."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    OTHER = "other"


class ActivityCategory(StrEnum):
    PREPARATION = "preparation"
    TRANSLATION = "translation"
    TRAINING = "training"
    COACHING = "coaching"
    REFRESHER = "refresher"
    REPORTING = "reporting"
    OTHER = "other"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class FundingStatus(StrEnum):
    SECURED = "secured"
    REQUESTED = "requested"
    GAP = "gap"


class Challenge(StrEnum):
    """The roll-out challenges trainers named in the programme's evaluation, and "other"."""

    TIME_AND_BUDGET = "time_and_budget"
    ORGANISATIONAL_SUPPORT = "organisational_support"
    REACHING_SUPERVISORS = "reaching_supervisors"
    TRAINER_TURNOVER = "trainer_turnover"
    INTERAGENCY_LEADERSHIP = "interagency_leadership"
    UNREALISTIC_PLANNING = "unrealistic_planning"
    OTHER = "other"


class ReviewEvent(StrEnum):
    COMMENT = "comment"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"


class CountryPlan(Base):
    __tablename__ = "country_plans"
    __table_args__ = (UniqueConstraint("cohort_id", "country_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    country_code: Mapped[str] = mapped_column(String(2))
    status: Mapped[CountryPlanStatus] = mapped_column(
        _enum(CountryPlanStatus, "country_plan_status"), default=CountryPlanStatus.DRAFT)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The versions last sent for review and last approved: what the focal point saw.
    submitted_version: Mapped[int | None] = mapped_column(Integer)
    approved_version: Mapped[int | None] = mapped_column(Integer)
    # Context: who implements case management, and how many supervisors the roll-out reaches.
    agencies: Mapped[str] = mapped_column(Text, default="")
    supervisors_to_reach: Mapped[int | None] = mapped_column(Integer)
    context_notes: Mapped[str] = mapped_column(Text, default="")
    # Objectives and targets.
    objectives: Mapped[str] = mapped_column(Text, default="")
    target_trainings: Mapped[int | None] = mapped_column(Integer)
    target_supervisors: Mapped[int | None] = mapped_column(Integer)
    target_organisations: Mapped[int | None] = mapped_column(Integer)
    target_locations: Mapped[str] = mapped_column(Text, default="")
    # Follow-up with the focal point.
    call_frequency: Mapped[CallFrequency | None] = mapped_column(
        _enum(CallFrequency, "plan_call_frequency"))
    follow_up_plan: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class CountryPlanActivity(Base):
    __tablename__ = "country_plan_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("country_plans.id", ondelete="CASCADE"),
                                         index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[ActivityCategory] = mapped_column(
        _enum(ActivityCategory, "plan_activity_category"))
    owner_name: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(160), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[ActivityStatus] = mapped_column(
        _enum(ActivityStatus, "plan_activity_status"), default=ActivityStatus.PLANNED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# "Activity X can start once Y is done": both activities of the same plan (checked when saved).
activity_dependencies = Table(
    "country_plan_activity_dependencies",
    Base.metadata,
    Column("activity_id", ForeignKey("country_plan_activities.id", ondelete="CASCADE"),
           primary_key=True),
    Column("depends_on_id", ForeignKey("country_plan_activities.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)


class BudgetLine(Base):
    __tablename__ = "country_plan_budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("country_plans.id", ondelete="CASCADE"),
                                         index=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("country_plan_activities.id", ondelete="SET NULL"), index=True)
    item: Mapped[str] = mapped_column(String(200))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    funding_status: Mapped[FundingStatus] = mapped_column(
        _enum(FundingStatus, "budget_funding_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def total(self) -> Decimal:
        return line_total(self.unit_cost, self.quantity)


class PlanRisk(Base):
    __tablename__ = "country_plan_risks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("country_plans.id", ondelete="CASCADE"),
                                         index=True)
    challenge: Mapped[Challenge] = mapped_column(_enum(Challenge, "plan_risk_challenge"))
    description: Mapped[str] = mapped_column(Text, default="")
    mitigation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanVersion(Base):
    """The whole plan as it was after one save: who saved, when, and a JSON snapshot."""

    __tablename__ = "country_plan_versions"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("country_plans.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PlanReviewComment(Base):
    """A focal point's comment on one section (``section`` None: on the whole plan), or a
    status change (submitted, returned, approved) with its message."""

    __tablename__ = "country_plan_review_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("country_plans.id", ondelete="CASCADE"),
                                         index=True)
    version: Mapped[int] = mapped_column(Integer)  # the plan version it is about
    event: Mapped[ReviewEvent] = mapped_column(_enum(ReviewEvent, "plan_review_event"))
    section: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
