"""Certificates as Open Badges 3.0 credentials (``OpenBadgeCredential``), their issuer
profile, and the revocation status list.

Each credential is a W3C Verifiable Credential 2.0 in JSON-LD, signed with the platform's
current Ed25519 key by an ``eddsa-rdfc-2022`` Data Integrity proof (see
:mod:`learning.certificates.dataintegrity` for why not a JWT-VC). It is built once, when
the certificate is issued, and stored as signed. Its ``credentialStatus`` points at a bit
of the public ``BitstringStatusListCredential``: revoking a certificate sets the bit, so a
verifier learns of the revocation without the credential changing.

What it says about the holder: their name (as printed on the certificate, which the public
verification page shows too) and a salted SHA-256 of their e-mail address, so that a
verifier who knows the address can match it while the credential does not reveal it.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import secrets
import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from learning.certificates import keys
from learning.certificates.dataintegrity import create_proof, verify_proof, xsd_datetime
from learning.certificates.jsonld import OB_V3_CONTEXT, VC_V2_CONTEXT
from learning.certificates.models import Certificate, CertificateStatus, SigningKey
from learning.db import db, utcnow

CREDENTIAL_CONTEXT = [VC_V2_CONTEXT, OB_V3_CONTEXT]
# Bitstring Status List v1.0: at least 16 KiB of bits, so a list does not reveal how many
# certificates exist; it grows by whole 16 KiB blocks if the ids ever go beyond.
STATUS_LIST_MIN_BITS = 131_072


def _base_url() -> str:
    return str(current_app.config["BASE_URL"])


def issuer_name() -> str:
    return "; ".join(current_app.config.get("CERTIFICATE_ISSUERS") or ("Tandem",))


def issuer_profile() -> dict[str, Any]:
    """The issuer as embedded in credentials (OB 3.0 ``Profile``)."""
    return {"id": keys.issuer_url(), "type": ["Profile"], "name": issuer_name(),
            "url": _base_url()}


def credential_url(code: str) -> str:
    return f"{_base_url()}/certificates/{code}/credential.json"


def status_list_url() -> str:
    return f"{_base_url()}/certificates/status-list"


def _achievement_id(cohort_id: int) -> str:
    # One achievement per cohort (its rules may differ); a stable URN rather than an
    # address that would have to be served.
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{_base_url()}/cohorts/{cohort_id}')}"


def _rule_criteria() -> dict[str, str]:
    return {
        "precourse_done": _("Every part of the pre-course work done."),
        "post_test_taken": _("Post-course knowledge test taken."),
        "modules_done": _("Modules 1 to 4 completed."),
        "plan_item_per_module": _(
            "An individual supervision action plan with at least one item per module."),
        "training_report_approved": _(
            "At least one in-country training delivered, with its report approved."),
    }


def _texts(certificate: Certificate, language: str) -> dict[str, str]:
    """Name, description and criteria of the achievement, in one language."""
    achievements = certificate.achievements or {}
    with force_locale(language):
        criteria = _rule_criteria()
        met = [criteria[rule] for rule in achievements.get("rules", []) if rule in criteria]
        narrative = (_("Requirements met:") + "\n\n" + "\n".join(f"- {line}" for line in met)
                     if met else _("Awarded by the programme's administrators."))
        description = _(
            "Completed the Training of Trainers in child-protection case-management "
            "supervision and coaching (%(cohort)s).", cohort=certificate.cohort.name)
        delivered = int(achievements.get("trainings_delivered") or 0)
        if delivered:
            description += " " + ngettext("Delivered %(num)d in-country training.",
                                          "Delivered %(num)d in-country trainings.", delivered)
        return {
            "credential": _("Certificate of completion: Training of Trainers"),
            "name": _("Training of Trainers in child-protection case-management supervision "
                      "and coaching"),
            "description": description,
            "narrative": narrative,
        }


def _localised(certificate: Certificate) -> tuple[dict[str, str], str | None]:
    """The texts in the certificate's language; for a bilingual certificate, English then
    French in each text (the credential's fields are plain strings), with no inLanguage."""
    languages = certificate.language.split("+")
    if len(languages) == 1:
        return _texts(certificate, languages[0]), languages[0]
    versions = [_texts(certificate, language) for language in languages]
    joined = {field: (" / " if field in ("credential", "name") else "\n\n").join(
        version[field] for version in versions) for field in versions[0]}
    return joined, None


def _identifiers(certificate: Certificate) -> list[dict[str, Any]]:
    identifiers: list[dict[str, Any]] = [
        {"type": "IdentityObject", "identityType": "name", "hashed": False,
         "identityHash": certificate.holder_name}]
    if certificate.holder is not None:
        salt = secrets.token_hex(16)
        email = certificate.holder.email.strip().lower()
        identifiers.append({
            "type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
            "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
            "salt": salt})
    return identifiers


def unsigned_credential(certificate: Certificate) -> dict[str, Any]:
    """The credential of ``certificate`` before its proof."""
    texts, language = _localised(certificate)
    issued = xsd_datetime(certificate.issued_at or utcnow())
    achievement: dict[str, Any] = {
        "id": _achievement_id(certificate.cohort_id),
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": texts["name"],
        "description": texts["description"],
        "criteria": {"narrative": texts["narrative"]},
    }
    if language:
        achievement["inLanguage"] = language
    return {
        "@context": CREDENTIAL_CONTEXT,
        "id": credential_url(certificate.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": texts["credential"],
        "issuer": issuer_profile(),
        "validFrom": issued,
        "awardedDate": issued,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _identifiers(certificate),
            "achievement": achievement,
        },
        "credentialStatus": {
            "id": f"{status_list_url()}#{certificate.status_list_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(certificate.status_list_index),
            "statusListCredential": status_list_url(),
        },
    }


def sign(document: dict[str, Any], key: SigningKey | None = None,
         created: datetime | None = None) -> dict[str, Any]:
    """``document`` with an ``eddsa-rdfc-2022`` proof by ``key`` (default: the active key).

    The proof is a one-element list, as the Open Badges 3.0 schema requires an array.
    """
    key = key or keys.active_key()
    proof = create_proof(document, keys.private_key(key), keys.key_url(key),
                         created or utcnow())
    return {**document, "proof": [proof]}


def credential_for(certificate: Certificate) -> dict[str, Any]:
    """The signed Open Badges 3.0 credential of ``certificate`` (issued, with an id)."""
    return sign(unsigned_credential(certificate), created=certificate.issued_at)


def verify(document: dict[str, Any]) -> bool:
    """Whether ``document`` carries a valid proof by one of the platform's keys (active or
    retired). Says nothing about revocation: see the status list."""
    return verify_proof(document, keys.public_key_for)


def encoded_status_list(revoked_indexes: list[int]) -> str:
    """Bitstring Status List ``encodedList``: multibase base64url (no padding) of the
    GZIP-compressed bitstring, where index 0 is the first (most significant) bit."""
    size = STATUS_LIST_MIN_BITS
    while revoked_indexes and max(revoked_indexes) >= size:
        size += STATUS_LIST_MIN_BITS
    bits = bytearray(size // 8)
    for index in revoked_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def status_list_credential() -> dict[str, Any]:
    """The signed revocation ``BitstringStatusListCredential`` of every certificate."""
    revoked = list(db.session.scalars(
        select(Certificate.id).where(Certificate.status == CertificateStatus.REVOKED)))
    now = utcnow()
    return sign({
        "@context": [VC_V2_CONTEXT],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": keys.issuer_url(),
        "validFrom": xsd_datetime(now),
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_status_list(revoked),
        },
    }, created=now)


def profile_document() -> dict[str, Any]:
    """The issuer profile served at ``/issuer``."""
    return {"@context": CREDENTIAL_CONTEXT, **issuer_profile()}
