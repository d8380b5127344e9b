"""Cohorts (one Training of Trainers each), their countries, facilitators and enrolments."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import User, _enum
from learning.db import Base, UTCDateTime, utcnow


class EnrolmentStatus(StrEnum):
    NOMINATED = "nominated"
    ALTERNATE = "alternate"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class Cohort(Base):
    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # Comma-separated working languages, e.g. "en,fr".
    languages: Mapped[str] = mapped_column(String(10), default="en")
    venue: Mapped[str] = mapped_column(String(160), default="")
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    precourse_deadline: Mapped[date | None] = mapped_column(Date)
    # Per-cohort rules (assessment gating, certificate rules); missing keys use defaults.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    countries: Mapped[list[CohortCountry]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CohortCountry.country_code"
    )
    facilitators: Mapped[list[CohortFacilitator]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def country_codes(self) -> list[str]:
        return [row.country_code for row in self.countries]

    @property
    def facilitator_ids(self) -> set[int]:
        return {row.user_id for row in self.facilitators}

    @property
    def language_list(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]


class CohortCountry(Base):
    __tablename__ = "cohort_countries"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class CohortFacilitator(Base):
    __tablename__ = "cohort_facilitators"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    user: Mapped[User] = relationship(lazy="joined")


class Enrolment(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[EnrolmentStatus] = mapped_column(
        _enum(EnrolmentStatus, "enrolment_status"), default=EnrolmentStatus.NOMINATED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    cohort: Mapped[Cohort] = relationship(lazy="joined")
    user: Mapped[User] = relationship(lazy="joined")
