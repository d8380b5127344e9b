"""Country applications (annex I of the programme report), their agencies and nominees, and
the selection committee's review.

A coordination group's coordinator drafts the application for their country; admins review
it against four criteria and decide. Selecting it enrols the nominees in a cohort, and each
nominee then confirms.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import OrganisationType, User, _enum
from learning.cohorts.models import Cohort
from learning.db import Base, UTCDateTime, utcnow


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


class Decision(StrEnum):
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"


class CountryApplication(Base):
    __tablename__ = "country_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(String(2), index=True)
    # The coordination group's coordinator: told of the decision. Empty when an admin drafted
    # the application without naming one (the country's coordinators are told then).
    coordinator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(2), default="en")
    status: Mapped[ApplicationStatus] = mapped_column(
        _enum(ApplicationStatus, "application_status"), default=ApplicationStatus.DRAFT)
    # The cohort whose call this answers (optional while drafting); on selection, the cohort
    # the team is enrolled in.
    cohort_id: Mapped[int | None] = mapped_column(
        ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)

    focal_name: Mapped[str] = mapped_column(String(120), default="")
    focal_title: Mapped[str] = mapped_column(String(120), default="")
    focal_organisation: Mapped[str] = mapped_column(String(160), default="")
    focal_email: Mapped[str] = mapped_column(String(254), default="")
    focal_phone: Mapped[str] = mapped_column(String(40), default="")
    backup_name: Mapped[str] = mapped_column(String(120), default="")
    backup_title: Mapped[str] = mapped_column(String(120), default="")
    backup_organisation: Mapped[str] = mapped_column(String(160), default="")
    backup_email: Mapped[str] = mapped_column(String(254), default="")
    backup_phone: Mapped[str] = mapped_column(String(40), default="")

    # Part I: the interagency case-management response. None: not answered yet.
    has_cm_subgroup: Mapped[bool | None] = mapped_column(Boolean)
    cm_subgroup_description: Mapped[str] = mapped_column(Text, default="")
    cm_subgroup_tor: Mapped[str] = mapped_column(Text, default="")
    has_interagency_sops: Mapped[bool | None] = mapped_column(Boolean)
    sops_description: Mapped[str] = mapped_column(Text, default="")
    government_role: Mapped[str] = mapped_column(Text, default="")
    recent_trainings: Mapped[str] = mapped_column(Text, default="")
    capacity_building: Mapped[str] = mapped_column(Text, default="")
    capacity_budget: Mapped[str] = mapped_column(Text, default="")

    # Part II: interest in the coaching and supervision capacity-building initiative.
    why_join: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    obstacles: Mapped[str] = mapped_column(Text, default="")
    obstacle_responses: Mapped[str] = mapped_column(Text, default="")

    # The coordination group's signed commitment.
    signatory_name: Mapped[str] = mapped_column(String(120), default="")
    signatory_title: Mapped[str] = mapped_column(String(120), default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    commitment_agreed: Mapped[bool] = mapped_column(Boolean, default=False)

    # Every change adds one to ``version``. Each part of the form also counts its own saves
    # and remembers the last one of each person ({part: {"version": n, "by": {user id: n}}}),
    # so a save is refused only when someone else changed the part after the version the
    # saver started from (see ``application_services.save_part``).
    version: Mapped[int] = mapped_column(Integer, default=1)
    part_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    coordinator: Mapped[User | None] = relationship(foreign_keys=[coordinator_id])
    cohort: Mapped[Cohort | None] = relationship()
    agencies: Mapped[list[ApplicationAgency]] = relationship(
        cascade="all, delete-orphan", order_by="ApplicationAgency.id", lazy="selectin")
    nominees: Mapped[list[Nominee]] = relationship(
        cascade="all, delete-orphan", order_by="[Nominee.is_alternate, Nominee.id]",
        lazy="selectin", back_populates="application")
    review: Mapped[ApplicationReview | None] = relationship(
        cascade="all, delete-orphan", uselist=False)

    def part_version(self, part: str) -> int:
        return int((self.part_versions or {}).get(part, {}).get("version", 0))

    def part_version_of_others(self, part: str, user_id: int) -> int:
        """The last version of ``part`` saved by anyone but this person (0: none)."""
        savers = (self.part_versions or {}).get(part, {}).get("by", {})
        return max((int(version) for saver, version in savers.items()
                    if saver != str(user_id)), default=0)

    @property
    def team(self) -> list[Nominee]:
        return [nominee for nominee in self.nominees if not nominee.is_alternate]

    @property
    def alternates(self) -> list[Nominee]:
        return [nominee for nominee in self.nominees if nominee.is_alternate]


class ApplicationAgency(Base):
    """A child-protection agency implementing case management in the country."""

    __tablename__ = "application_agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("country_applications.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(160))
    organisation_type: Mapped[OrganisationType] = mapped_column(
        _enum(OrganisationType, "organisation_type"))
    # When its case-management programme began (the month is what people know).
    cm_started_on: Mapped[date | None] = mapped_column(Date)
    active_cases: Mapped[int | None] = mapped_column(Integer)
    caseworkers: Mapped[int | None] = mapped_column(Integer)
    supervisors: Mapped[int | None] = mapped_column(Integer)
    comments: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Nominee(Base):
    """A member (or alternate) of the country's capacity-building team."""

    __tablename__ = "application_nominees"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("country_applications.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(160))
    organisation_type: Mapped[OrganisationType] = mapped_column(
        _enum(OrganisationType, "organisation_type"))
    title: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text, default="")
    is_alternate: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the application is selected: the account (made or reused) and its invitation.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    application: Mapped[CountryApplication] = relationship(back_populates="nominees")
    user: Mapped[User | None] = relationship()


def _score_range(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} BETWEEN 1 AND 5", name=f"{column}_range")


class ApplicationReview(Base):
    """The selection committee's scores, comments and decision on one application."""

    __tablename__ = "application_reviews"
    __table_args__ = tuple(_score_range(column) for column in (
        "relevance_score", "interagency_score", "team_score", "basics_score"))

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("country_applications.id", ondelete="CASCADE"), unique=True)
    # The admin who last changed the review.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    relevance_score: Mapped[int | None] = mapped_column(SmallInteger)
    interagency_score: Mapped[int | None] = mapped_column(SmallInteger)
    team_score: Mapped[int | None] = mapped_column(SmallInteger)
    basics_score: Mapped[int | None] = mapped_column(SmallInteger)
    comments: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[Decision | None] = mapped_column(_enum(Decision, "application_decision"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    message_to_applicant: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    reviewer: Mapped[User | None] = relationship()

    @property
    def scores(self) -> tuple[int | None, ...]:
        return (self.relevance_score, self.interagency_score, self.team_score,
                self.basics_score)

    @property
    def total(self) -> int | None:
        scores = self.scores
        return None if None in scores else sum(score or 0 for score in scores)
