"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC Data Integrity
EdDSA Cryptosuites v1.0), and the multibase / Multikey encodings they use.

Why Data Integrity rather than a JWT-VC: the credential stays one plain JSON-LD document
that Open Badges 3.0 verifiers, wallets and people can read as it is (a JWT wraps it in an
opaque base64 string and carries a second copy of the claims in JWT fields), the signature
survives any re-serialisation of the JSON because it covers the canonical RDF dataset, not
the bytes, and 1EdTech's published test vector for Open Badges 3.0 exercises exactly this
suite, so the implementation can be checked against it.

Signing (spec section 3.3): canonicalise the proof options (the proof without
``proofValue``, with the document's ``@context``) and the unsigned document with RDFC-1.0,
hash each with SHA-256, sign ``hash(proof options) || hash(document)`` with Ed25519, and put
the signature in ``proofValue`` as multibase base58btc (``z…``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pyld.jsonld import JsonLdError

from learning.certificates.jsonld import canonical_nquads

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
PROOF_PURPOSE = "assertionMethod"

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
# Multicodec prefix of an Ed25519 public key (varint of 0xed): Multikey "z6Mk…" values.
ED25519_PUBLIC_MULTICODEC = b"\xed\x01"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = BASE58_ALPHABET.find(char)
        if index < 0:
            raise ValueError(f"not a base58btc character: {char!r}")
        number = number * 58 + index
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def multibase_base58btc(data: bytes) -> str:
    return "z" + base58btc_encode(data)


def from_multibase_base58btc(value: str) -> bytes:
    if not value.startswith("z"):
        raise ValueError("not a multibase base58btc value (no 'z' prefix)")
    return base58btc_decode(value[1:])


def public_key_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 key: ``z6Mk…``."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return multibase_base58btc(ED25519_PUBLIC_MULTICODEC + raw)


def public_key_from_multibase(value: str) -> Ed25519PublicKey:
    decoded = from_multibase_base58btc(value)
    if not decoded.startswith(ED25519_PUBLIC_MULTICODEC) or len(decoded) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(decoded[2:])


def xsd_datetime(moment: datetime) -> str:
    """``2026-11-22T09:30:00Z``: UTC, whole seconds, as credentials usually carry."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def proof_options(verification_method: str, created: datetime) -> dict[str, Any]:
    """The proof before signing (no ``proofValue``)."""
    return {
        "type": PROOF_TYPE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": PROOF_PURPOSE,
    }


def canonical_forms(document: dict[str, Any], options: dict[str, Any]) -> tuple[str, str]:
    """(canonical proof configuration, canonical document), both RDFC-1.0 N-Quads.

    ``document`` is the unsigned document (no ``proof``); the proof configuration takes the
    document's ``@context`` so that its terms mean what the document's terms mean.
    """
    configuration = {**options, "@context": document["@context"]}
    return canonical_nquads(configuration), canonical_nquads(document)


def hash_data(document: dict[str, Any], options: dict[str, Any]) -> bytes:
    """SHA-256(canonical proof configuration) || SHA-256(canonical document): what is signed."""
    proof_canon, document_canon = canonical_forms(document, options)
    return (hashlib.sha256(proof_canon.encode()).digest()
            + hashlib.sha256(document_canon.encode()).digest())


def create_proof(document: dict[str, Any], private_key: Ed25519PrivateKey,
                 verification_method: str, created: datetime) -> dict[str, Any]:
    """The ``eddsa-rdfc-2022`` proof of the unsigned ``document``."""
    options = proof_options(verification_method, created)
    signature = private_key.sign(hash_data(document, options))
    return {**options, "proofValue": multibase_base58btc(signature)}


def verify_proof(document: dict[str, Any],
                 public_key_for: Callable[[str], Ed25519PublicKey | None]) -> bool:
    """Whether the single ``eddsa-rdfc-2022`` proof of ``document`` is valid.

    ``public_key_for`` maps the proof's ``verificationMethod`` to the public key it names,
    or None when the verifier does not recognise that key. Anything malformed is simply
    "not valid": this answers a yes/no question about untrusted input.
    """
    proofs = document.get("proof")
    if isinstance(proofs, list):
        if len(proofs) != 1:
            return False
        proofs = proofs[0]
    if not isinstance(proofs, dict):
        return False
    proof: dict[str, Any] = proofs
    if (proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE
            or proof.get("proofPurpose") != PROOF_PURPOSE
            or not isinstance(proof.get("proofValue"), str)
            or not isinstance(proof.get("verificationMethod"), str)):
        return False
    public_key = public_key_for(proof["verificationMethod"])
    if public_key is None:
        return False
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = {key: value for key, value in proof.items() if key != "proofValue"}
    try:
        signature = from_multibase_base58btc(proof["proofValue"])
        public_key.verify(signature, hash_data(unsigned, options))
    except (ValueError, InvalidSignature, JsonLdError, KeyError, TypeError):
        return False
    return True
