"""What is held about a person, and how it is deleted.

The export walks every table that points at ``users.id``, so a domain added later is in
the download without a change here; only secrets (password and token hashes, signing
keys) and stored files are left out.

Deletion keeps the person's row, emptied: aggregate figures (progress, scores, roll-out
reach, certificates issued) still count them by country and organisation type, anonymous
survey responses were never linked to them, and a certificate's public verification
answers "the holder's data was deleted" instead of a name (the stored PDF and the signed
credential, which carry the name, are removed; the PDF's fingerprint stays, so the copy
the person holds still verifies). What they wrote — reflections, action plan, comments,
notes, messages — is removed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from enum import Enum
from typing import Any

from flask import current_app
from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.sql.schema import Column, Table

from learning.accounts.models import Role, User
from learning.audit.models import AuditEvent
from learning.audit.services import record
from learning.db import Base, db, utcnow
from learning.notifications.services import notify
from learning.privacy.models import DeletionRequest, DeletionStatus

# Never part of an export: they protect the account rather than describe the person.
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "private_key_encrypted",
                            "session_version", "pdf", "totp_secret"})

# Rows the person wrote and that name or describe them or others: removed on deletion.
AUTHORED_CONTENT = ("reflection_answers", "action_plan_items", "plan_comments",
                    "notifications", "write_receipts", "api_tokens", "account_tokens",
                    "focal_point_countries")


class DeletionRefused(ValueError):
    """The deletion cannot be done (e.g. the last active admin)."""


def _user_columns(table: Table) -> list[Column[Any]]:
    return [column for column in table.columns
            if any(key.column.table.name == "users" and key.column.name == "id"
                   for key in column.foreign_keys)]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bytes):
        return None
    return value


def personal_data(user: User) -> dict[str, list[dict[str, Any]]]:
    """Every row about the person, by table; the account itself under ``users``."""
    session = db.session()
    found: dict[str, list[dict[str, Any]]] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "users":
            condition: ColumnElement[bool] = table.c.id == user.id
        else:
            columns = _user_columns(table)
            if not columns:
                continue
            condition = or_(*(column == user.id for column in columns))
        shown = [column for column in table.columns if column.name not in SECRET_COLUMNS]
        rows = session.execute(select(*shown).where(condition)
                               .order_by(*table.primary_key.columns)).mappings().all()
        if rows:
            found[table.name] = [{key: _plain(value) for key, value in row.items()}
                                 for row in rows]
    return found


def export_json(user: User) -> str:
    document = {"exported_at": utcnow().isoformat(), "person": user.email,
                "data": personal_data(user)}
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)


def open_request(user: User) -> DeletionRequest | None:
    return db.session.scalar(select(DeletionRequest).where(
        DeletionRequest.user_id == user.id, DeletionRequest.status == DeletionStatus.REQUESTED))


def request_deletion(user: User, reason: str) -> DeletionRequest:
    existing = open_request(user)
    if existing is not None:
        return existing
    deletion = DeletionRequest(user_id=user.id, reason=reason.strip()[:2000])
    db.session.add(deletion)
    db.session.flush()
    record("privacy.deletion_requested", actor=user, target=user)
    admins = db.session.scalars(select(User).where(User.role == Role.ADMIN,
                                                   User.is_active.is_(True))).all()
    for admin in admins:
        notify(admin, "deletion_requested",
               link=f"{current_app.config['BASE_URL']}/admin/deletion-requests")
    return deletion


def cancel_request(user: User) -> bool:
    deletion = open_request(user)
    if deletion is None:
        return False
    deletion.status = DeletionStatus.CANCELLED
    deletion.decided_at = utcnow()
    record("privacy.deletion_cancelled", actor=user, target=user)
    return True


def pending_requests() -> list[DeletionRequest]:
    return list(db.session.scalars(select(DeletionRequest).where(
        DeletionRequest.status == DeletionStatus.REQUESTED).order_by(DeletionRequest.id)))


def _last_active_admin(user: User) -> bool:
    if user.role != Role.ADMIN:
        return False
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.is_active.is_(True), User.id != user.id))
    return not others


def complete_deletion(admin: User, deletion: DeletionRequest) -> None:
    """Remove the person's personal data, in one transaction with its audit event."""
    person = deletion.user
    if _last_active_admin(person):
        raise DeletionRefused("last_admin")
    session = db.session()
    email = person.email
    tables = Base.metadata.tables
    for name in AUTHORED_CONTENT:
        table = tables.get(name)
        if table is None:
            continue
        columns = _user_columns(table)
        session.execute(delete(table).where(or_(*(column == person.id for column in columns))))
    outbox = tables.get("outbound_emails")
    if outbox is not None:
        session.execute(delete(outbox).where(outbox.c.recipient == email))
    nominees = tables.get("application_nominees")
    if nominees is not None:
        session.execute(update(nominees).where(or_(nominees.c.user_id == person.id,
                                                   func.lower(nominees.c.email) == email))
                        .values(name="", email="", title="", reason=""))
    certificates = tables.get("certificates")
    if certificates is not None:
        session.execute(update(certificates).where(certificates.c.user_id == person.id)
                        .values(holder_name="", holder_deleted_at=utcnow(), pdf=None,
                                credential=None))
    # Sign-in failures and invitations name the address in their details.
    for event in session.scalars(select(AuditEvent).where(
            or_(AuditEvent.actor_id == person.id,
                AuditEvent.target_id == str(person.id)))):
        if any(email in str(value) for value in (event.details or {}).values()):
            event.details = {key: value for key, value in event.details.items()
                             if email not in str(value)}
    person.name = ""
    person.email = f"deleted-{person.id}@deleted.invalid"
    person.password_hash = None
    person.job_title = ""
    person.is_active = False
    person.session_version += 1
    person.deleted_at = utcnow()
    deletion.status = DeletionStatus.COMPLETED
    deletion.decided_at = utcnow()
    deletion.decided_by_id = admin.id
    deletion.reason = ""
    record("privacy.deletion_completed", actor=admin, target=person)


def purge_audit_log(now: dt.datetime | None = None) -> int:
    """Delete audit events older than the retention period (``AUDIT_RETENTION_DAYS``)."""
    days = int(current_app.config["AUDIT_RETENTION_DAYS"])
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    result = db.session.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
    return int(result.rowcount or 0)
