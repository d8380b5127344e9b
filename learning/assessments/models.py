"""Attempts and answers for every instrument: quizzes, tests, questionnaires, surveys.

Answers are keyed by the stable question ids of the banks in ``quizzes/``. Anonymous
banks keep a person's answers only while they are answering; on submission the answers
move to an ``AnonymousResponse`` that carries no user id, no attempt id and no time of day,
and the attempt keeps no answers — so no screen or export can link them back.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import _enum
from learning.db import Base, UTCDateTime, utcnow


class Purpose(StrEnum):
    """Why the bank is being taken: the same bank serves before and after."""

    QUIZ = "quiz"
    PRE = "pre"
    POST = "post"
    ONCE = "once"


class AttemptStatus(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        UniqueConstraint("user_id", "bank_id", "purpose", "number"),
        Index("ix_attempts_bank_purpose", "bank_id", "purpose", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"),
                                                  index=True)
    bank_id: Mapped[str] = mapped_column(String(80))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "attempt_purpose"))
    number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[AttemptStatus] = mapped_column(_enum(AttemptStatus, "attempt_status"),
                                                  default=AttemptStatus.OPEN)
    # "user:bank:purpose" while open, NULL once submitted: at most one open attempt each.
    open_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    form: Mapped[str | None] = mapped_column(String(20))  # knowledge tests: "pre" or "post"
    content_version: Mapped[str] = mapped_column(String(64), default="")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Knowledge scoring (quizzes and knowledge tests); None for questionnaires.
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    # Per-preference or per-area results (learning style, confidence), for quick display.
    profile: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan",
                                                 back_populates="attempt")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("attempt_id", "question_id"),
        # Covers the knowledge-by-objective sums (points per question of given attempts)
        # without reading the rows: an index-only scan at programme scale.
        Index("ix_answers_attempt_question_points", "attempt_id", "question_id", "points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)
    points: Mapped[float | None] = mapped_column(Float)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    attempt: Mapped[Attempt] = relationship(back_populates="answers")


class AnonymousResponse(Base):
    """A submitted anonymous response: no user, no attempt, only the day it came in."""

    __tablename__ = "anonymous_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(String(80), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"),
                                                  index=True)
    language: Mapped[str] = mapped_column(String(2))
    submitted_on: Mapped[date] = mapped_column(Date)

    answers: Mapped[list[AnonymousAnswer]] = relationship(cascade="all, delete-orphan")


class AnonymousAnswer(Base):
    __tablename__ = "anonymous_answers"
    __table_args__ = (UniqueConstraint("response_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("anonymous_responses.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(80))
    value: Mapped[Any] = mapped_column(JSON)
