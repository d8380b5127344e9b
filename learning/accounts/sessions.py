"""Sessions that really end: a per-user version in the cookie, idle and absolute limits."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, Request, current_app, flash, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from learning.access import is_api_request
from learning.accounts.models import User
from learning.db import db
from learning.extensions import login_manager


def load_user(session_id: str) -> User | None:
    # The JSON API authenticates with personal access tokens only (the request loader
    # below): a session cookie must not act there, so no cross-site request can ride on it
    # and CSRF stays out of the API.
    if is_api_request():
        return None
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return user


def load_api_user(request: Request) -> User | None:
    """On /api/ paths only: the person whose ``Authorization: Bearer`` token this is."""
    if not is_api_request():
        return None
    from learning.api.tokens import load_api_user as from_token

    return from_token(request)


def start_session(user: User) -> None:
    session.clear()
    session.permanent = True
    now = int(datetime.now(UTC).timestamp())
    session["started"] = now
    session["seen"] = now
    login_user(user)


def end_session() -> None:
    logout_user()
    session.clear()


def check_timeouts() -> None:
    """``before_request``: end sessions that were idle too long or are too old."""
    if "_user_id" not in session or is_api_request():
        return
    now = int(datetime.now(UTC).timestamp())
    idle = current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    started = session.get("started", 0)
    seen = session.get("seen", 0)
    if now - seen > idle or now - started > absolute:
        end_session()
        flash(_l("Your session has ended. Please sign in again."), "info")
        return
    if now - seen > 60:
        session["seen"] = now


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.request_loader(load_api_user)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(check_timeouts)
    # Templates read the user dozens of times per page: hand them the object itself rather
    # than the request-local proxy, whose every attribute access costs a context lookup.
    app.context_processor(lambda: {"current_user": current_user._get_current_object()})
