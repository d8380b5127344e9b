"""In-country trainings delivered by country teams, their reports with the focal point's
review thread, and the focal point's follow-up contacts with each team."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import OrganisationType, User, _enum
from learning.db import Base, UTCDateTime, utcnow


class DeliveryMode(StrEnum):
    IN_PERSON = "in_person"
    REMOTE = "remote"
    MIXED = "mixed"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"


class ReportAction(StrEnum):
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"


class ContactMode(StrEnum):
    CALL = "call"
    VISIT = "visit"
    MESSAGE = "message"
    MEETING = "meeting"


class Training(Base):
    """One training a country-team member delivered at home, as its trainer recorded it."""

    __tablename__ = "trainings"
    __table_args__ = (Index("ix_trainings_cohort_country", "cohort_id", "country_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    country_code: Mapped[str] = mapped_column(String(2))
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            index=True)
    # The roll-out plan activity this training fulfils (the plan counts it as delivered
    # once the report is approved).
    plan_activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("country_plan_activities.id", ondelete="SET NULL"), index=True)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    days: Mapped[int | None] = mapped_column(Integer)
    region_city: Mapped[str] = mapped_column(String(160), default="")
    language: Mapped[str] = mapped_column(String(12), default="")  # ISO 639-1 code
    delivery_mode: Mapped[DeliveryMode | None] = mapped_column(
        _enum(DeliveryMode, "delivery_mode"))
    modules: Mapped[list[int]] = mapped_column(JSON, default=list)  # numbers 1–4
    # Co-trainers who are not in the country team, one name per line.
    other_co_trainers: Mapped[str] = mapped_column(Text, default="")
    # Participants by organisation type and, separately, by gender: a submitted report
    # has both adding up to the same total.
    un_agency_count: Mapped[int] = mapped_column(Integer, default=0)
    international_ngo_count: Mapped[int] = mapped_column(Integer, default=0)
    national_ngo_count: Mapped[int] = mapped_column(Integer, default=0)
    government_count: Mapped[int] = mapped_column(Integer, default=0)
    other_organisation_count: Mapped[int] = mapped_column(Integer, default=0)
    female_count: Mapped[int] = mapped_column(Integer, default=0)
    male_count: Mapped[int] = mapped_column(Integer, default=0)
    other_gender_count: Mapped[int] = mapped_column(Integer, default=0)  # other or not said
    # Averages of the trainees' test scores, in percent.
    pre_test_average: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    post_test_average: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    tested_trainees: Mapped[int | None] = mapped_column(Integer)
    evaluation_highlights: Mapped[str] = mapped_column(Text, default="")
    adaptations: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    follow_up_planned: Mapped[str] = mapped_column(Text, default="")
    # Every save carries the version it was made from; a save from an older one is refused.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    trainer: Mapped[User] = relationship(lazy="joined", foreign_keys=[trainer_id])
    co_trainers: Mapped[list[TrainingCoTrainer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin")
    organisations: Mapped[list[TrainingOrganisation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TrainingOrganisation.position")
    participants: Mapped[list[TrainingParticipant]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="TrainingParticipant.position")
    report: Mapped[TrainingReport] = relationship(back_populates="training", lazy="joined",
                                                  uselist=False, cascade="all, delete-orphan")

    @property
    def participants_total(self) -> int:
        return (self.un_agency_count + self.international_ngo_count + self.national_ngo_count
                + self.government_count + self.other_organisation_count)

    @property
    def gender_total(self) -> int:
        return self.female_count + self.male_count + self.other_gender_count

    @property
    def co_trainer_ids(self) -> list[int]:
        return [row.user_id for row in self.co_trainers]

    @property
    def other_co_trainer_names(self) -> list[str]:
        return [line.strip() for line in self.other_co_trainers.splitlines() if line.strip()]


class TrainingCoTrainer(Base):
    """A member of the country team who co-delivered the training."""

    __tablename__ = "training_co_trainers"

    training_id: Mapped[int] = mapped_column(
        ForeignKey("trainings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)

    user: Mapped[User] = relationship(lazy="joined")


class TrainingOrganisation(Base):
    """An organisation whose staff took part in the training."""

    __tablename__ = "training_organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(160))
    type: Mapped[OrganisationType] = mapped_column(
        _enum(OrganisationType, "organisation_type"))


class TrainingParticipant(Base):
    """A trainee named in the report (optional: many reports give counts only)."""

    __tablename__ = "training_participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(160), default="")


class TrainingReport(Base):
    """The report on a training and where it stands in the focal point's review."""

    __tablename__ = "training_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"),
                                             unique=True)
    status: Mapped[ReportStatus] = mapped_column(_enum(ReportStatus, "report_status"),
                                                 default=ReportStatus.DRAFT, index=True)
    # The trainer's message to go with the next submission; kept while they write it.
    draft_note: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest one
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the latest one
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    training: Mapped[Training] = relationship(back_populates="report")
    events: Mapped[list[ReportEvent]] = relationship(
        cascade="all, delete-orphan", lazy="select", order_by="ReportEvent.id")


class ReportEvent(Base):
    """One step of a report's review thread: a submission, a return or an approval."""

    __tablename__ = "training_report_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("training_reports.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[ReportAction] = mapped_column(_enum(ReportAction, "report_action"))
    text: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")


class FollowUpContact(Base):
    """A focal point's contact with a country team: a call, a visit, a message, a meeting."""

    __tablename__ = "follow_up_contacts"
    __table_args__ = (
        Index("ix_follow_up_contacts_cohort_country", "cohort_id", "country_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    country_code: Mapped[str] = mapped_column(String(2))
    focal_point_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    contact_date: Mapped[date] = mapped_column(Date)
    mode: Mapped[ContactMode] = mapped_column(_enum(ContactMode, "contact_mode"))
    attendees: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    agreed_actions: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    focal_point: Mapped[User | None] = relationship(lazy="joined")
