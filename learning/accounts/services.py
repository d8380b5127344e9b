"""Account rules: sign-in, tokens, invitations, passwords, roles and scopes.

Services add and flush; the caller (a view or a CLI command) commits once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from blinker import signal
from flask import current_app
from sqlalchemy import func, select, update

from learning.accounts.models import (
    AccountToken,
    FocalPointCountry,
    Organisation,
    OrganisationType,
    Role,
    TokenPurpose,
    User,
)
from learning.accounts.passwords import hash_password, verify_password
from learning.accounts.throttle import throttle
from learning.audit.services import record
from learning.db import db, utcnow

# Sent inside the unit of work of an accepted invitation (sender: the user), so other
# domains react without accounts importing them (cohorts: a nominee confirms).
invitation_accepted = signal("invitation-accepted")


class AccountError(ValueError):
    """A rule was broken; ``str(error)`` is a message for the person (already translated)."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def admin_exists() -> bool:
    admins = db.session.scalar(select(func.count(User.id)).where(User.role == Role.ADMIN))
    return bool(admins)


# --- tokens -------------------------------------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    purpose: TokenPurpose,
    ttl: timedelta,
    user: User | None = None,
    created_by: User | None = None,
) -> str:
    """Create a single-use token and return its secret (shown once, stored hashed)."""
    raw = secrets.token_urlsafe(32)
    if user is not None:
        # A new link replaces older unused ones for the same purpose.
        db.session.execute(
            update(AccountToken)
            .where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == purpose,
                AccountToken.used_at.is_(None),
            )
            .values(used_at=utcnow())
        )
    db.session.add(
        AccountToken(
            purpose=purpose,
            token_hash=_token_hash(raw),
            user=user,
            created_by_id=created_by.id if created_by is not None else None,
            expires_at=utcnow() + ttl,
        )
    )
    db.session.flush()
    return raw


def find_token(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    """The usable token for this secret, or None (unknown, used, expired or wrong purpose)."""
    if not raw or len(raw) > 100:
        return None
    token = db.session.scalar(
        select(AccountToken).where(
            AccountToken.token_hash == _token_hash(raw), AccountToken.purpose == purpose
        )
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    return token


def _consume(token: AccountToken) -> None:
    """Mark used with a conditional update: of two simultaneous uses, only one wins."""
    result = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AccountError("token already used")


# --- passwords and sessions -----------------------------------------------------------------


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    """Every copy of every session cookie of this user stops working at once."""
    user.session_version = (user.session_version or 1) + 1


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    throttled: bool = False


def authenticate(email: str, password: str, address: str) -> SignInResult:
    """Check credentials, counting failures per account and per address.

    Unknown and known accounts get the same answer and take the same time.
    """
    config = current_app.config
    window: timedelta = config["LOGIN_FAILURE_WINDOW"]
    account_key = normalise_email(email)
    limiter = throttle()
    if (
        limiter.count("login-account", account_key, window)
        >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        or limiter.count("login-address", address, window)
        >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        record("login.throttled", details_email=account_key)
        return SignInResult(user=None, throttled=True)
    user = user_by_email(email)
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        limiter.hit("login-account", account_key, window)
        limiter.hit("login-address", address, window)
        record("login.failed", actor=user, target=user, email=account_key)
        return SignInResult(user=None)
    limiter.clear("login-account", account_key)
    user.last_login_at = utcnow()
    record("login.succeeded", actor=user, target=user)
    return SignInResult(user=user)


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise AccountError("wrong current password")
    set_password(user, new_password)
    record("password.changed", actor=user, target=user)


def request_password_reset(email: str) -> str | None:
    """Return the reset secret for an active account, None otherwise (caller says the same)."""
    user = user_by_email(email)
    if user is None or not user.is_active or not user.has_password:
        record("password.reset_requested_unknown", email=normalise_email(email))
        return None
    raw = issue_token(TokenPurpose.PASSWORD_RESET, current_app.config["PASSWORD_RESET_TTL"], user)
    record("password.reset_requested", target=user)
    return raw


def reset_password(token: AccountToken, password: str) -> User:
    user = token.user
    if user is None or not user.is_active:
        raise AccountError("inactive account")
    _consume(token)
    set_password(user, password)
    record("password.reset", actor=user, target=user)
    return user


# --- first administrator --------------------------------------------------------------------


def setup_token_if_needed() -> str | None:
    """A fresh one-time setup secret when there is no administrator yet."""
    if admin_exists():
        return None
    return issue_token(TokenPurpose.SETUP, current_app.config["SETUP_TOKEN_TTL"])


def complete_setup(token: AccountToken, name: str, email: str, password: str,
                   language: str) -> User:
    if admin_exists():
        raise AccountError("already set up")
    _consume(token)
    if user_by_email(email) is not None:
        raise AccountError("duplicate email")
    admin = User(
        email=normalise_email(email),
        name=" ".join(name.split()),
        role=Role.ADMIN,
        language=language,
        password_hash=hash_password(password),
    )
    db.session.add(admin)
    db.session.flush()
    record("setup.completed", actor=admin, target=admin)
    return admin


# --- people, organisations, invitations -----------------------------------------------------


def find_or_create_organisation(
    name: str, org_type: OrganisationType, country_code: str | None
) -> Organisation:
    cleaned = " ".join(name.split())
    existing = db.session.scalar(
        select(Organisation).where(
            func.lower(Organisation.name) == cleaned.lower(),
            Organisation.country_code.is_(country_code)
            if country_code is None
            else Organisation.country_code == country_code,
        )
    )
    if existing is not None:
        return existing
    organisation = Organisation(name=cleaned, type=org_type, country_code=country_code)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_user(
    *,
    email: str,
    name: str,
    role: Role,
    language: str = "en",
    country_code: str | None = None,
    job_title: str = "",
    organisation: Organisation | None = None,
    password: str | None = None,
    focal_countries: list[str] | None = None,
) -> User:
    if user_by_email(email) is not None:
        raise AccountError("duplicate email")
    user = User(
        email=normalise_email(email),
        name=" ".join(name.split()),
        role=role,
        language=language,
        country_code=country_code,
        job_title=job_title.strip(),
        organisation=organisation,
        password_hash=hash_password(password) if password else None,
    )
    user.focal_countries = [FocalPointCountry(country_code=c) for c in focal_countries or []]
    db.session.add(user)
    db.session.flush()
    return user


def invite(inviter: User | None, user: User) -> str:
    """Issue an invitation link for a person without a password yet, and send it."""
    from learning.notifications.services import send_email

    raw = issue_token(TokenPurpose.INVITATION, current_app.config["INVITATION_TTL"], user,
                      created_by=inviter)
    link = f"{current_app.config['BASE_URL']}/invitations/{raw}"
    send_email(
        user.email,
        user.language,
        "invitation",
        user=user,
        link=link,
        inviter_name=inviter.name if inviter else "Tandem",
        role=user.role,
        days=current_app.config["INVITATION_TTL"].days,
    )
    record("invitation.sent", actor=inviter, target=user, role=user.role.value)
    return raw


def accept_invitation(token: AccountToken, name: str, password: str, language: str) -> User:
    user = token.user
    if user is None or not user.is_active:
        raise AccountError("inactive account")
    _consume(token)
    user.name = " ".join(name.split())
    user.language = language
    set_password(user, password)
    record("invitation.accepted", actor=user, target=user)
    invitation_accepted.send(user)
    return user


def update_role_and_scope(
    actor: User, user: User, role: Role, focal_countries: list[str], country_code: str | None,
    is_active: bool,
) -> None:
    if user.id == actor.id and (role != Role.ADMIN or not is_active):
        raise AccountError("cannot demote self")
    before = (user.role, user.focal_country_codes, user.country_code, user.is_active)
    user.role = role
    user.country_code = country_code
    user.focal_countries = [FocalPointCountry(country_code=c) for c in sorted(set(focal_countries))]
    if not is_active and user.is_active:
        end_all_sessions(user)
    user.is_active = is_active
    after = (user.role, user.focal_country_codes, user.country_code, user.is_active)
    if before != after:
        if before[0] != after[0]:
            # A new role means new menus and rights: start a fresh session.
            end_all_sessions(user)
        record(
            "user.role_scope_changed",
            actor=actor,
            target=user,
            before={"role": before[0].value, "focal": before[1], "country": before[2],
                    "active": before[3]},
            after={"role": after[0].value, "focal": after[1], "country": after[2],
                   "active": after[3]},
        )
