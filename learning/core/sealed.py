"""Secrets kept in the database, sealed with a key derived from the app's ``SECRET_KEY``.

AES-256-GCM under an HKDF-SHA256 key per purpose (``label``): a copy of the database alone
reveals neither the certificate signing keys nor the two-step sign-in secrets. The
``bound_to`` value (a key id, a user id) is authenticated data, so a sealed value copied
to another row does not open.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PREFIX = "aesgcm1:"


def _cipher(label: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=label).derive(current_app.config["SECRET_KEY"].encode())
    return AESGCM(derived)


def seal(secret: bytes, label: bytes, bound_to: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(label).encrypt(nonce, secret, bound_to.encode())
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(value: str, label: bytes, bound_to: str) -> bytes:
    """Raises ``cryptography.exceptions.InvalidTag`` when ``SECRET_KEY`` changed or the
    value belongs to another row."""
    raw = base64.urlsafe_b64decode(value.removeprefix(PREFIX))
    return _cipher(label).decrypt(raw[:12], raw[12:], bound_to.encode())
