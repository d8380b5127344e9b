"""Password hashing with argon2id (RFC 9106 parameters via argon2-cffi's defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

_hasher = PasswordHasher()
# Tests hash hundreds of passwords; the cheapest argon2id settings keep them quick.
_fast_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

MIN_LENGTH = 10
MAX_LENGTH = 200
# Compared against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("tandem-timing-equaliser")


def _current() -> PasswordHasher:
    return _fast_hasher if current_app.config.get("PASSWORD_HASH_FAST") else _hasher


def hash_password(password: str) -> str:
    return _current().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _current().verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
