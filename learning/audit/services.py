"""Recording and reading audit events."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from sqlalchemy import select
from sqlalchemy.orm import aliased

from learning.accounts.models import User
from learning.audit.models import AuditEvent
from learning.db import db

PAGE_SIZE = 50


def record(
    action: str,
    actor: User | None = None,
    target: Any = None,
    **details: Any,
) -> AuditEvent:
    """Add an event to the current unit of work (committed with the change it describes)."""
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None and actor.id else None,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=str(target.id) if target is not None and getattr(target, "id", None) else None,
        address=request.remote_addr if has_request_context() else None,
        details={key: value for key, value in details.items() if value is not None},
    )
    db.session.add(event)
    return event


def recent_events(
    page: int = 1, action: str | None = None
) -> tuple[list[tuple[AuditEvent, User | None]], bool]:
    actor = aliased(User)
    query = (
        select(AuditEvent, actor)
        .outerjoin(actor, AuditEvent.actor_id == actor.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    if action:
        query = query.where(AuditEvent.action == action)
    rows = db.session.execute(query.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)).all()
    return [(row[0], row[1]) for row in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


def known_actions() -> list[str]:
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))
