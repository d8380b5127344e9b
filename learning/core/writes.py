"""Idempotent writes: each carries a client key, and a repeat gets the first answer.

Every autosaved or retried write in the platform (progress, reflections, answers, plan
items, applications, reports) goes through :func:`run_once`, so a lost response, a
double submit or a replayed queue never stores anything twice.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.accounts.models import User
from learning.core.models import WriteReceipt
from learning.db import db

CLIENT_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class InvalidWrite(ValueError):
    """The write is malformed (bad key, unknown event, text too long or with NUL)."""


def run_once(user: User, key: str, kind: str,
             write: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Apply ``write`` once per (user, key) and commit; a repeat returns the first result.

    Two copies racing each other: the unique constraint refuses the second receipt, its
    transaction rolls back whole, and it answers with the first one's result.
    """
    if not CLIENT_KEY.match(key or ""):
        raise InvalidWrite("key")
    session = db.session()
    receipt_query = select(WriteReceipt).where(WriteReceipt.user_id == user.id,
                                               WriteReceipt.key == key)
    existing = session.scalar(receipt_query)
    if existing is not None:
        return {**existing.result, "replayed": True}
    try:
        result = write()
        session.add(WriteReceipt(user_id=user.id, key=key, kind=kind, result=result))
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = session.scalar(receipt_query)
        if existing is None:
            raise
        return {**existing.result, "replayed": True}
    return result
