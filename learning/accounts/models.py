"""People, organisations, role scopes and single-use account tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import Base, UTCDateTime, utcnow


def _enum(enum_cls: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Role(StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    FOCAL_POINT = "focal_point"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class OrganisationType(StrEnum):
    UN_AGENCY = "un_agency"
    INTERNATIONAL_NGO = "international_ngo"
    NATIONAL_NGO = "national_ngo"
    GOVERNMENT = "government"
    OTHER = "other"


class TokenPurpose(StrEnum):
    SETUP = "setup"
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105 (a token purpose, not a secret)


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160))
    type: Mapped[OrganisationType] = mapped_column(_enum(OrganisationType, "organisation_type"))
    country_code: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(2), default="en")
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.PARTICIPANT)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    country_code: Mapped[str | None] = mapped_column(String(2), index=True)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped to end every session at once (sign-out, password change, deactivation).
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Kept with the notifications it counts (same transaction), so the badge shown on every
    # page costs no query of its own.
    unread_notifications: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when an admin completes the person's deletion request (learning.privacy): the
    # row stays, emptied, so aggregate figures keep counting them.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Two-step sign-in (TOTP, RFC 6238): the shared secret, sealed (learning.core.sealed);
    # the last time step accepted, so a code is never accepted twice.
    totp_secret_sealed: Mapped[str | None] = mapped_column(Text)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    organisation: Mapped[Organisation | None] = relationship()
    # Loaded on first use: most requests never need a focal point's countries.
    focal_countries: Mapped[list[FocalPointCountry]] = relationship(
        cascade="all, delete-orphan", lazy="select"
    )

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def focal_country_codes(self) -> list[str]:
        return sorted(row.country_code for row in self.focal_countries)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class FocalPointCountry(Base):
    """The countries a national support focal point supports."""

    __tablename__ = "focal_point_countries"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class AccountToken(Base):
    """A single-use secret sent by link: first-admin setup, invitation, password reset.

    Only the SHA-256 of the secret is stored, so a leaked database gives no usable link.
    """

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[TokenPurpose] = mapped_column(_enum(TokenPurpose, "token_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class ThrottleHit(Base):
    """One counted event (e.g. a failed sign-in) for database-backed rate limiting."""

    __tablename__ = "throttle_hits"
    __table_args__ = (Index("ix_throttle_hits_lookup", "bucket", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bucket: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
