"""The notifications page and the admins' outbox."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import roles, signed_in
from learning.accounts.models import Role
from learning.db import db
from learning.notifications import bp, services


@bp.get("/notifications")
@signed_in
def inbox() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    items, has_more = services.notifications_for(current_user, page)
    return render_template("notifications/inbox.html", items=items, page=page, has_more=has_more)


@bp.post("/notifications/read")
@signed_in
def mark_read() -> Response:
    services.mark_all_read(current_user)
    db.session.commit()
    flash(_("All notifications marked as read."), "success")
    return redirect(url_for("notifications.inbox"))


@bp.get("/admin/outbox")
@roles(Role.ADMIN)
def outbox() -> str:
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    emails, has_more = services.outbox(page)
    return render_template("notifications/outbox.html", emails=emails, page=page,
                           has_more=has_more)
