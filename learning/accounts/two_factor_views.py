"""Two-step sign-in pages: turning it on and off, the code step of signing in, and the
admins' setting that requires it for some roles."""

from __future__ import annotations

import time
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from learning.access import public, roles, signed_in
from learning.accounts import bp, two_factor
from learning.accounts.forms import role_labels
from learning.accounts.models import Role, User
from learning.accounts.sessions import start_session
from learning.accounts.throttle import throttle
from learning.audit.services import record
from learning.core import settings
from learning.core.forms import AppForm
from learning.core.urls import safe_next
from learning.db import db

PENDING = "two_step_pending"  # session key: a password checked, the code still to come
SETUP_KEY = "two_step_setup"  # session key: the secret being set up, until confirmed
PENDING_SECONDS = 300
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

# Pages a person who must turn two-step sign-in on can still open before doing so.
ALLOWED_BEFORE_SETUP = frozenset({"accounts.two_step_settings", "accounts.logout", "static",
                                  "i18n.switch_language", "core.healthz"})


class CodeForm(AppForm):
    code = StringField(_l("6-digit code from your authenticator app"),
                       validators=[DataRequired(_l("Enter the code.")), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Confirm"))


class RequirementForm(AppForm):
    admin = BooleanField(_l("Administrators"))
    focal_point = BooleanField(_l("National support focal points"))
    submit = SubmitField(_l("Save"))


def begin_second_step(user: User, target: str) -> Response:
    """Called by the sign-in page once the password is right and the person uses TOTP."""
    session.clear()
    session[PENDING] = {"user": user.id, "version": user.session_version,
                        "at": int(time.time()), "next": target}
    return redirect(url_for("accounts.two_step_login"))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.is_active or user.session_version != pending.get("version"):
        return None
    return user


@bp.route("/login/two-step", methods=["GET", "POST"])
@public
def two_step_login() -> str | Response | tuple[str, int]:
    user = _pending_user()
    if user is None:
        session.pop(PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        limiter = throttle()
        window = FAILURE_WINDOW
        if limiter.count("two-step", str(user.id), window) >= MAX_FAILURES:
            record("login.two_step_throttled", actor=user, target=user)
            db.session.commit()
            flash(_("Too many attempts. Please wait a few minutes and try again."), "error")
            return render_template("accounts/two_step_login.html", form=form), 429
        if two_factor.verify(user, form.code.data or ""):
            target = safe_next(session[PENDING].get("next"))
            limiter.clear("two-step", str(user.id))
            record("login.two_step_succeeded", actor=user, target=user)
            db.session.commit()
            start_session(user)
            return redirect(target)
        limiter.hit("two-step", str(user.id), window)
        record("login.two_step_failed", actor=user, target=user)
        db.session.commit()
        form.code.errors = [_("This code is not right, or was already used. Wait for the next "
                              "code and try again.")]
        return render_template("accounts/two_step_login.html", form=form), 400
    return render_template("accounts/two_step_login.html", form=form)


@bp.route("/account/two-step", methods=["GET", "POST"])
@signed_in
def two_step_settings() -> str | Response | tuple[str, int]:
    user: User = current_user._get_current_object()
    form = CodeForm()
    if two_factor.enabled(user):
        if form.validate_on_submit():
            if two_factor.verify(user, form.code.data or ""):
                if two_factor.required_for(user):
                    flash(_("Two-step sign-in is required for your role: it stays on."), "error")
                    return redirect(url_for("accounts.two_step_settings"))
                two_factor.disable(user)
                db.session.commit()
                flash(_("Two-step sign-in is off."), "success")
                return redirect(url_for("accounts.profile"))
            form.code.errors = [_("This code is not right, or was already used.")]
            return render_template("accounts/two_step_settings.html", form=form,
                                   enabled=True), 400
        return render_template("accounts/two_step_settings.html", form=form, enabled=True), (
            400 if form.is_submitted() else 200)
    secret = session.get(SETUP_KEY) or two_factor.new_secret()
    session[SETUP_KEY] = secret
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        if two_factor.enable(user, secret, form.code.data or ""):
            session.pop(SETUP_KEY, None)
            db.session.commit()
            flash(_("Two-step sign-in is on. You will be asked for a code each time you sign "
                    "in."), "success")
            return redirect(url_for("accounts.profile"))
        form.code.errors = [_("This code is not right. Check the time on your phone and try "
                              "the next code.")]
        status = 400
    uri = two_factor.provisioning_uri(user, secret)
    return render_template("accounts/two_step_settings.html", form=form, enabled=False,
                           secret=secret, qr=two_factor.qr_svg(uri),
                           required=two_factor.required_for(user)), status


@bp.route("/admin/security", methods=["GET", "POST"])
@roles(Role.ADMIN)
def security_settings() -> str | Response:
    required = set(settings.get(settings.TWO_FACTOR_REQUIRED_ROLES) or [])
    form = RequirementForm(data={role.value: role.value in required
                                 for role in two_factor.REQUIRABLE_ROLES})
    if form.validate_on_submit():
        chosen = [role.value for role in two_factor.REQUIRABLE_ROLES
                  if form[role.value].data]
        settings.put(settings.TWO_FACTOR_REQUIRED_ROLES, chosen)
        record("settings.two_step_required", actor=current_user._get_current_object(),
               roles=chosen)
        db.session.commit()
        flash(_("Security settings saved."), "success")
        return redirect(url_for("accounts.security_settings"))
    return render_template("accounts/security_settings.html", form=form,
                           labels=role_labels())


@bp.before_app_request
def _require_two_step() -> Response | None:
    """Send people whose role requires two-step sign-in to turn it on before anything."""
    if not current_user.is_authenticated or request.endpoint in ALLOWED_BEFORE_SETUP:
        return None
    if request.path.startswith("/api/"):
        return None  # tokens are created after two-step sign-in; they stand on their own
    user = current_user._get_current_object()
    if two_factor.enabled(user) or not two_factor.required_for(user):
        return None
    if request.method != "GET":
        abort(403)
    flash(_("Your role requires two-step sign-in. Please turn it on to continue."), "info")
    return redirect(url_for("accounts.two_step_settings"))
