"""The platform's Ed25519 signing keys: generation, rotation, storage and publication.

The public half of each key is published as a Multikey document at
``{BASE_URL}/issuer/keys/<key_id>``, the ``verificationMethod`` of every proof it made.
The private half is stored as its 32-byte seed encrypted with AES-256-GCM under a key
derived (HKDF-SHA256) from the application's ``SECRET_KEY``: a copy of the database alone
cannot sign credentials. Rotating makes a new key the signer and retires the previous one,
which stays published so that every credential it signed still verifies.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from flask import current_app
from sqlalchemy import select

from learning.accounts.models import User
from learning.audit.services import record
from learning.certificates.dataintegrity import public_key_from_multibase, public_key_multibase
from learning.certificates.jsonld import MULTIKEY_CONTEXT
from learning.certificates.models import SigningKey
from learning.core.sealed import seal, unseal
from learning.db import db, utcnow

ENCRYPTION_LABEL = b"tandem certificate signing key v1"


class SigningKeyUnavailable(RuntimeError):
    """The stored key cannot be decrypted: ``SECRET_KEY`` is not the one it was stored with."""


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    try:
        seed = unseal(key.private_key_encrypted, ENCRYPTION_LABEL, key.key_id)
    except InvalidTag:
        # Not rotated silently: two workers with different secrets would rotate each other.
        raise SigningKeyUnavailable(
            f"Signing key {key.key_id} cannot be decrypted with this SECRET_KEY: restore the "
            "SECRET_KEY it was created with, or run `flask certificates keys rotate`.") from None
    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(key: SigningKey) -> Ed25519PublicKey:
    return public_key_from_multibase(key.public_key_multibase)


def generate_key(actor: User | None = None) -> SigningKey:
    """A new signing key, added to the session (the caller commits); it signs from now on."""
    new_private = Ed25519PrivateKey.generate()
    seed = new_private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key_id = f"{utcnow():%Y-%m-%d}-{secrets.token_hex(4)}"
    key = SigningKey(key_id=key_id,
                     public_key_multibase=public_key_multibase(new_private.public_key()),
                     private_key_encrypted=seal(seed, ENCRYPTION_LABEL, key_id),
                     created_at=utcnow())
    db.session.add(key)
    db.session.flush()
    record("certificates.signing_key_generated", actor, key, key_id=key_id)
    return key


def rotate_key(actor: User | None = None) -> SigningKey:
    """Retire every active key and make a new one the signer."""
    now = utcnow()
    for key in db.session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        key.retired_at = now
        record("certificates.signing_key_retired", actor, key, key_id=key.key_id)
    return generate_key(actor)


def current_key() -> SigningKey | None:
    """The newest key that is not retired, if any."""
    return db.session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc(), SigningKey.id.desc()).limit(1)).first()


def active_key() -> SigningKey:
    """The key that signs now; the first one is generated on first use, so a fresh
    installation issues credentials without a manual step (the caller commits)."""
    return current_key() or generate_key()


def all_keys() -> list[SigningKey]:
    return list(db.session.scalars(
        select(SigningKey).order_by(SigningKey.created_at, SigningKey.id)))


def find_key(key_id: str) -> SigningKey | None:
    return db.session.scalars(select(SigningKey).where(SigningKey.key_id == key_id)).first()


def issuer_url() -> str:
    return f"{current_app.config['BASE_URL']}/issuer"


def key_url(key: SigningKey) -> str:
    """The key's public address: the ``verificationMethod`` of the proofs it makes."""
    return f"{issuer_url()}/keys/{key.key_id}"


def public_key_for(verification_method: str) -> Ed25519PublicKey | None:
    """The public key of one of our keys named by its URL; None for any other address."""
    prefix = f"{issuer_url()}/keys/"
    if not verification_method.startswith(prefix):
        return None
    key = find_key(verification_method.removeprefix(prefix))
    return public_key(key) if key is not None else None


def multikey_document(key: SigningKey) -> dict[str, object]:
    """The published Multikey document of ``key`` (W3C Controlled Identifiers)."""
    return {
        "@context": MULTIKEY_CONTEXT,
        "id": key_url(key),
        "type": "Multikey",
        "controller": issuer_url(),
        "publicKeyMultibase": key.public_key_multibase,
    }
