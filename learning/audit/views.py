"""The audit log page (admins only)."""

from __future__ import annotations

from flask import render_template, request

from learning.access import roles
from learning.accounts.models import Role
from learning.audit import bp, services


@bp.get("/admin/audit")
@roles(Role.ADMIN)
def audit_log() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    action = request.args.get("action") or None
    events, has_more = services.recent_events(page=page, action=action)
    return render_template(
        "audit/log.html",
        events=events,
        page=page,
        has_more=has_more,
        action=action,
        actions=services.known_actions(),
    )
