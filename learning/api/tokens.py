"""Personal access tokens: create, revoke, and find the person behind a Bearer secret.

A secret is ``tdm_`` followed by 43 URL-safe characters (256 bits of randomness). Only its
SHA-256 is stored (a fast hash is right here: the secret is random, not a password, so there
is nothing to brute-force). The first 12 characters are kept as ``prefix`` so a person can
tell their tokens apart and recognise one found in a log.

Services add and flush; the caller commits — except ``user_for_bearer``, which commits the
"last used" touch itself because it runs at the very start of a request, before any work.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import Request, g
from sqlalchemy import or_, select, update

from learning.accounts.models import User
from learning.api.models import ApiToken
from learning.db import db, utcnow

SECRET_PREFIX = "tdm_"  # noqa: S105  (a public marker, not a secret)
PREFIX_LENGTH = 12
# Longest secret worth hashing; anything longer is not one of ours.
MAX_SECRET_LENGTH = 100
# Writing on every request would turn each API read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret (return it to the person once; never stored)."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:80],
        prefix=secret[:PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, newest first (revoked ones included, for the record)."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of ``user``'s own tokens; None when there is no such token of theirs.

    Revoking twice keeps the first revocation time.
    """
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()
    return token


def is_usable(token: ApiToken, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (
        token.revoked_at is None
        and (token.expires_at is None or token.expires_at > now)
        and token.user.is_active
    )


def secret_from_header(header_value: str | None) -> str | None:
    """The secret in ``Authorization: Bearer <secret>`` (scheme case-insensitive), or None."""
    if not header_value:
        return None
    scheme, _, secret = header_value.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return secret


def token_for_secret(secret: str | None) -> ApiToken | None:
    """The usable token for this secret (not revoked, not expired, active holder), or None."""
    if not secret or not secret.startswith(SECRET_PREFIX) or len(secret) > MAX_SECRET_LENGTH:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not is_usable(token):
        return None
    _touch(token)
    return token


def user_for_bearer(header_value: str | None) -> User | None:
    """The person acting through ``Authorization: Bearer <secret>``, or None.

    None for a missing/malformed header and for an unknown, revoked or expired token or an
    inactive person. The token acts with the person's *current* role and scope, so a change
    of scope applies to their tokens at once.
    """
    token = token_for_secret(secret_from_header(header_value))
    return token.user if token is not None else None


def load_api_user(request: Request) -> User | None:
    """Flask-Login's request loader for /api/ paths: the token's person, or None.

    The token is kept on ``g.api_token`` for the per-token rate limit.
    """
    token = token_for_secret(secret_from_header(request.headers.get("Authorization")))
    g.api_token = token
    return token.user if token is not None else None


def _touch(token: ApiToken) -> None:
    now = utcnow()
    if token.last_used_at is not None and token.last_used_at > now - LAST_USED_RESOLUTION:
        return
    # Conditional update: concurrent requests with the same token write at most once.
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(
                ApiToken.last_used_at.is_(None),
                ApiToken.last_used_at <= now - LAST_USED_RESOLUTION,
            ),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    token.last_used_at = now
