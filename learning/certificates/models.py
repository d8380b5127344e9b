"""Certificates of the Training of Trainers and the keys that sign their Open Badges.

A certificate is frozen when issued: the holder's name, the cohort, what was achieved, the
PDF (its bytes and SHA-256) and the signed Open Badges credential are stored as issued, so
a later change of name or rules never alters a document someone already holds. A name
correction is a re-issue: the old certificate is ``superseded`` and points at the new one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import User, _enum
from learning.cohorts.models import Cohort
from learning.db import Base, UTCDateTime, utcnow


class CertificateStatus(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"


class Certificate(Base):
    __tablename__ = "certificates"
    __table_args__ = (
        # At most one valid certificate per person and cohort, whatever races: two
        # completing events arriving together both try to insert, the second is refused.
        Index("uq_certificates_one_valid", "user_id", "cohort_id", unique=True,
              sqlite_where=text("status = 'valid'"),
              postgresql_where=text("status = 'valid'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # SET NULL: when a person's data is deleted, verification still answers for the code.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"),
                                           index=True)
    # Printed on the document, e.g. "TDM-2026-000042"; readable, not a secret.
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    # The long random value in /verify/<code> (secrets.token_urlsafe(24): 32 characters).
    code: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[CertificateStatus] = mapped_column(
        _enum(CertificateStatus, "certificate_status"), default=CertificateStatus.VALID,
        index=True)
    holder_name: Mapped[str] = mapped_column(String(120))
    # Set when the holder's personal data is deleted: verification then says so instead of
    # showing a name (learning.privacy).
    holder_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # "en", "fr", or "en+fr" when the cohort prints both languages side by side.
    language: Mapped[str] = mapped_column(String(5), default="en")
    # What was achieved, frozen at issue: {"trainings_delivered": 2, "modules": [1, 2, 3, 4],
    # "rules": ["precourse_done", ...]}.
    achievements: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))  # None: issued automatically
    issue_reason: Mapped[str] = mapped_column(Text, default="")  # manual issue / re-issue
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="SET NULL"))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    # The signed Open Badges 3.0 credential, exactly as served.
    credential: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    holder: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    cohort: Mapped[Cohort] = relationship(lazy="joined")

    @property
    def status_list_index(self) -> int:
        """This certificate's bit in the published revocation status list."""
        return self.id


class SigningKey(Base):
    """An Ed25519 key of the platform. The newest key without ``retired_at`` signs; retired
    keys stay published so that credentials they signed still verify."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)  # e.g. "2026-11-22-a1b2"
    # Multikey form: "z6Mk..." (multibase base58btc of 0xed01 + the 32-byte public key).
    public_key_multibase: Mapped[str] = mapped_column(String(80))
    # The 32-byte private seed, encrypted with a key derived from the app's SECRET_KEY.
    private_key_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
