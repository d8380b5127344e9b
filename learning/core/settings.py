"""Settings admins change in the application, with their defaults."""

from __future__ import annotations

from typing import Any

from learning.core.models import SiteSetting
from learning.db import db

# Roles that must use two-step sign-in (learning.accounts.two_factor).
TWO_FACTOR_REQUIRED_ROLES = "two_factor_required_roles"

DEFAULTS: dict[str, Any] = {TWO_FACTOR_REQUIRED_ROLES: []}


def get(key: str) -> Any:
    row = db.session.get(SiteSetting, key)
    return row.value if row is not None else DEFAULTS[key]


def put(key: str, value: Any) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(SiteSetting, key)
    if row is None:
        db.session.add(SiteSetting(key=key, value=value))
    else:
        row.value = value
