"""Learner state for the course reader: progress per section, reflections, write receipts.

Rows are keyed by stable content ids (``section_id``, ``reflection_id``), never by
position, so editing the course keeps the progress on every section whose id remains.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learning.db import Base, UTCDateTime, utcnow


class SectionProgress(Base):
    __tablename__ = "section_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "section_id"),
        # Covers the pre-course funnel (completed sections of given sections, per person)
        # without reading the rows: an index-only scan at programme scale.
        Index("ix_section_progress_section_user_completed", "section_id", "user_id",
              "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(String(80), index=True)
    section_id: Mapped[str] = mapped_column(String(80))
    # Digest of the section text the person last saw (content changes keep progress).
    content_version: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set once; a late or replayed event never clears it.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReflectionAnswer(Base):
    __tablename__ = "reflection_answers"
    __table_args__ = (UniqueConstraint("user_id", "reflection_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(80))
    reflection_id: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text, default="")
    # Bumped on every save: a tab that saved from an older revision is told it was behind.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReminderLog(Base):
    """A reminder sent about a step of the pre-course; scheduled ones are sent once."""

    __tablename__ = "reminder_logs"
    __table_args__ = (UniqueConstraint("user_id", "cohort_id", "step", "schedule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    step: Mapped[str] = mapped_column(String(80))
    # "d14", "d7", "d2" for the automatic schedule; "manual:<utc time>" for a facilitator's.
    schedule: Mapped[str] = mapped_column(String(40))
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
