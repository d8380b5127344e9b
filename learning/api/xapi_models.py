"""xAPI statements received from external authoring tools (e.g. Easygenerator), kept raw."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from learning.accounts.models import _enum
from learning.db import Base, UTCDateTime, utcnow


class XapiOutcome(StrEnum):
    """What Tandem did with a statement."""

    APPLIED = "applied"  # completed/passed for a mapped unit: the unit counts as done
    RECORDED = "recorded"  # failed/answered, or a verb Tandem does not act on: kept only
    UNMATCHED = "unmatched"  # unknown person or activity: kept for an admin to look at


class XapiStatement(Base):
    __tablename__ = "xapi_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The statement's own id (a UUID); a replay with the same id is the same statement.
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    # SHA-256 of the statement minus what an LRS sets (stored, authority, version): a
    # replay with another digest is a conflict.
    digest: Mapped[str] = mapped_column(String(64))
    verb_id: Mapped[str] = mapped_column(String(500))
    activity_id: Mapped[str] = mapped_column(String(2000))
    # The mailto e-mail or account name the actor was identified by, lower-cased.
    actor: Mapped[str] = mapped_column(String(320), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    unit_id: Mapped[str | None] = mapped_column(String(80))
    outcome: Mapped[XapiOutcome] = mapped_column(_enum(XapiOutcome, "xapi_outcome"), index=True)
    # Why it is unmatched: "actor", "activity" or "unit" (the map names a unit not in the course).
    unmatched_reason: Mapped[str | None] = mapped_column(String(20))
    timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    statement: Mapped[dict[str, Any]] = mapped_column(JSON)
