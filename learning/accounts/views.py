"""Sign-in, first-admin setup, invitations, passwords and the profile page."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from learning.access import public, signed_in
from learning.accounts import bp, services, two_factor
from learning.accounts.forms import (
    AcceptInvitationForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    SetupForm,
    role_labels,
)
from learning.accounts.models import TokenPurpose
from learning.accounts.sessions import end_session, start_session
from learning.accounts.two_factor_views import begin_second_step
from learning.audit.services import record
from learning.core.urls import safe_next
from learning.db import db
from learning.notifications.services import send_email


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target)
    form = LoginForm()
    if form.validate_on_submit():
        result = services.authenticate(
            form.email.data or "", form.password.data or "", request.remote_addr or "unknown"
        )
        if result.user is not None:
            db.session.commit()
            if two_factor.enabled(result.user):
                return begin_second_step(result.user, target)
            start_session(result.user)
            return redirect(target)
        db.session.commit()
        if result.throttled:
            flash(_("Too many attempts. Please wait a few minutes and try again."), "error")
            return render_template("accounts/login.html", form=form, next=target), 429
        flash(_("The e-mail address or password is not right."), "error")
    return render_template("accounts/login.html", form=form, next=target)


@bp.post("/logout")
@signed_in
def logout() -> Response:
    user = current_user._get_current_object()
    services.end_all_sessions(user)
    record("logout", actor=user, target=user)
    db.session.commit()
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/setup/<token>", methods=["GET", "POST"])
@public
def setup(token: str) -> str | Response:
    setup_token = services.find_token(token, TokenPurpose.SETUP)
    if setup_token is None or services.admin_exists():
        return render_template("accounts/link_invalid.html"), 404  # type: ignore[return-value]
    form = SetupForm()
    if request.method == "GET":
        form.language.data = str(get_locale())
    if form.validate_on_submit():
        if services.user_by_email(form.email.data or "") is not None:
            form.refuse("email", _("An account already uses this e-mail address."))
        else:
            admin = services.complete_setup(
                setup_token, form.name.data or "", form.email.data or "",
                form.password.data or "", form.language.data or "en",
            )
            db.session.commit()
            start_session(admin)
            flash(_("Welcome! Your administrator account is ready."), "success")
            return redirect(url_for("core.home"))
    return render_template("accounts/setup.html", form=form)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> str | Response:
    invitation = services.find_token(token, TokenPurpose.INVITATION)
    if invitation is None or invitation.user is None:
        return render_template("accounts/link_invalid.html"), 404  # type: ignore[return-value]
    invitee = invitation.user
    form = AcceptInvitationForm()
    if request.method == "GET":
        form.name.data = invitee.name
        form.language.data = invitee.language
    if form.validate_on_submit():
        user = services.accept_invitation(
            invitation, form.name.data or "", form.password.data or "", form.language.data or "en"
        )
        db.session.commit()
        start_session(user)
        flash(_("Welcome to Tandem! Your account is ready."), "success")
        return redirect(url_for("core.home"))
    return render_template("accounts/accept_invitation.html", form=form, invitee=invitee)


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = services.user_by_email(form.email.data or "")
        raw = services.request_password_reset(form.email.data or "")
        if raw is not None and user is not None:
            link = f"{current_app.config['BASE_URL']}/password/reset/{raw}"
            send_email(user.email, user.language, "password_reset", user=user, link=link,
                       hours=int(current_app.config["PASSWORD_RESET_TTL"].total_seconds() // 3600))
        db.session.commit()
        # The same answer whether or not the account exists.
        flash(_("If an account uses this address, a link to choose a new password is on its "
                "way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> str | Response:
    reset = services.find_token(token, TokenPurpose.PASSWORD_RESET)
    if reset is None:
        return render_template("accounts/link_invalid.html"), 404  # type: ignore[return-value]
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(reset, form.password.data or "")
        except services.AccountError:
            db.session.rollback()
            abort(404)
        db.session.commit()
        end_session()
        flash(_("Your password is changed. Please sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.get("/session/token")
@signed_in
def session_token() -> Response:
    """A fresh CSRF token for the autosave script, after a long pause or a new sign-in."""
    return jsonify(csrf_token=generate_csrf())


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def profile() -> str | Response:
    user = current_user._get_current_object()
    form = ProfileForm(obj=user)
    if form.validate_on_submit():
        user.name = " ".join((form.name.data or "").split())
        user.job_title = (form.job_title.data or "").strip()
        user.language = form.language.data or "en"
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, user=user,
                           role_label=role_labels()[user.role])


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> str | Response:
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data or "",
                                     form.password.data or "")
        except services.AccountError:
            form.refuse("current_password", _("This is not your current password."))
        else:
            db.session.commit()
            # Other devices are signed out; this one starts a fresh session.
            start_session(user)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/change_password.html", form=form)
