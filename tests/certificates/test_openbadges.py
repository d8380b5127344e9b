"""Open Badges 3.0 credentials: 1EdTech's test vector, schema validity, proofs checked by
an independent verifier, tampering, key rotation, the revocation status list, the CLI."""

from __future__ import annotations

import base64
import copy
import gzip
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import Flask
from pyld import jsonld

from learning.accounts.models import Role
from learning.audit.models import AuditEvent
from learning.certificates import dataintegrity, keys, openbadges
from learning.certificates.models import Certificate, CertificateStatus, SigningKey
from learning.cohorts.models import Cohort, CohortCountry
from learning.db import db
from tests.conftest import BrowserLikeClient, in_french

STANDARDS = Path(__file__).resolve().parents[2] / "learning" / "certificates" / "standards"
BASE_URL = "http://127.0.0.1:5000"
HOLDER = "Aimée Ndayishimiye-Kéza"
HOLDER_EMAIL = "aimee.keza@example.org"
TOT_NAME = ("Training of Trainers in child-protection case-management supervision "
            "and coaching")


def standard(name: str) -> Any:
    return json.loads((STANDARDS / name).read_text(encoding="utf-8"))


# --- an independent verifier: pyld with its own loader, hashlib, cryptography -------------

CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "context-3.0.3.json",
}


def files_loader(url: str, options: Any = None) -> dict[str, Any]:
    return {"contextUrl": None, "documentUrl": url, "document": standard(CONTEXT_FILES[url])}


def canon(document: dict[str, Any]) -> str:
    return jsonld.normalize(document, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                       "documentLoader": files_loader})


def b58decode(text: str) -> bytes:
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    value = 0
    for char in text:
        value = value * 58 + alphabet.index(char)
    return value.to_bytes(64 if len(text) > 60 else 34, "big")


def independently_verify(credential: dict[str, Any], public_key: Ed25519PublicKey) -> None:
    """Raises InvalidSignature unless the eddsa-rdfc-2022 proof holds."""
    (proof,) = credential["proof"]
    unsigned = {key: value for key, value in credential.items() if key != "proof"}
    config = {key: value for key, value in proof.items() if key != "proofValue"}
    config["@context"] = credential["@context"]
    signed_data = (hashlib.sha256(canon(config).encode()).digest()
                   + hashlib.sha256(canon(unsigned).encode()).digest())
    assert proof["proofValue"][0] == "z"
    public_key.verify(b58decode(proof["proofValue"][1:]), signed_data)


def served_public_key(client: BrowserLikeClient, verification_method: str) -> Ed25519PublicKey:
    """The key the proof names, fetched anonymously from its published Multikey document."""
    assert verification_method.startswith(f"{BASE_URL}/issuer/keys/")
    response = client.get(verification_method.removeprefix(BASE_URL))
    assert response.status_code == 200
    document = response.get_json(force=True)
    assert document["type"] == "Multikey" and document["id"] == verification_method
    assert document["controller"] == f"{BASE_URL}/issuer"
    multikey = b58decode(document["publicKeyMultibase"].removeprefix("z"))
    assert multikey[:2] == b"\xed\x01"
    return Ed25519PublicKey.from_public_bytes(multikey[2:])


# --- 1EdTech's published test vector ----------------------------------------------------

VECTOR_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "http://example.com/credentials/3527",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"],
               "url": "https://www.imsglobal.org", "name": "Example Corp"},
    "validFrom": "2010-01-01T00:00:00Z",
    "name": "Teamwork Badge",
    "credentialSubject": {
        "id": "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://example.com/achievements/21st-century-skills/teamwork",
            "type": ["Achievement"],
            "criteria": {"narrative": "Team members are nominated for this badge by their "
                                      "peers and recognized upon review by Example Corp "
                                      "management."},
            "description": "This badge recognizes the development of the capacity to "
                           "collaborate within a group environment.",
            "name": "Teamwork",
        },
    },
}


def test_the_implementation_reproduces_1edtech_test_vector() -> None:
    vector = standard("test-vector.json")
    options = {"type": "DataIntegrityProof", "created": "2010-01-01T19:23:24Z",
               "verificationMethod": vector["verification_method"],
               "cryptosuite": "eddsa-rdfc-2022", "proofPurpose": "assertionMethod"}

    proof_canon, document_canon = dataintegrity.canonical_forms(VECTOR_CREDENTIAL, options)
    assert document_canon == (STANDARDS / "test-vector-document-canon.txt").read_text()
    assert proof_canon == (STANDARDS / "test-vector-proof-canon.txt").read_text()
    assert hashlib.sha256(document_canon.encode()).hexdigest() == vector["document_hash_hex"]
    assert hashlib.sha256(proof_canon.encode()).hexdigest() == vector["proof_hash_hex"]

    private = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["private_key_hex"])[:32])
    assert dataintegrity.public_key_multibase(private.public_key()) == \
        vector["public_key_multibase"]
    signature = private.sign(dataintegrity.hash_data(VECTOR_CREDENTIAL, options))
    assert signature.hex() == vector["signature_hex"]
    assert dataintegrity.multibase_base58btc(signature) == vector["proof_value"]

    signed = {**VECTOR_CREDENTIAL, "proof": {**options, "proofValue": vector["proof_value"]}}
    vector_key = dataintegrity.public_key_from_multibase(vector["public_key_multibase"])
    assert dataintegrity.verify_proof(signed, {vector["verification_method"]: vector_key}.get)
    renamed = copy.deepcopy(signed)
    renamed["credentialSubject"]["achievement"]["name"] = "Teamworc"
    assert not dataintegrity.verify_proof(renamed, {vector["verification_method"]: vector_key}.get)


def test_contexts_are_never_fetched_from_the_network() -> None:
    remote = {**VECTOR_CREDENTIAL, "@context": [*VECTOR_CREDENTIAL["@context"],
                                                "https://example.org/evil-context.jsonld"]}
    with pytest.raises(jsonld.JsonLdError):
        dataintegrity.canonical_forms(remote, {"type": "DataIntegrityProof"})


# --- the platform's credentials -------------------------------------------------------


def issue(app: Flask, user_id: int | None, *, language: str = "fr",
          name: str = HOLDER) -> tuple[int, str]:
    """A certificate as issuing stores it, with its signed credential; (id, code)."""
    with app.app_context():
        cohort = db.session.query(Cohort).filter_by(slug="gitega").one_or_none()
        if cohort is None:
            cohort = Cohort(name="ToT Gitega 2030", slug="gitega", start_date=date(2030, 3, 2),
                            end_date=date(2030, 3, 6), countries=[CohortCountry(country_code="BI")])
            db.session.add(cohort)
            db.session.flush()
        certificate = Certificate(
            user_id=user_id, cohort_id=cohort.id,
            serial=f"pending-{language}-{user_id}-{len(name)}",
            code=f"code-{language}-{len(name)}-{user_id}", holder_name=name, language=language,
            achievements={"trainings_delivered": 2, "modules": [1, 2, 3, 4],
                          "rules": ["precourse_done", "modules_done", "training_report_approved"],
                          "people_trained": 31})
        db.session.add(certificate)
        db.session.flush()
        certificate.serial = f"TDM-2030-{certificate.id:06d}"
        certificate.credential = openbadges.credential_for(certificate)
        db.session.commit()
        return certificate.id, certificate.code


@pytest.fixture
def holder(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.PARTICIPANT, name=HOLDER, email=HOLDER_EMAIL, language="fr")


def fetch_credential(client: BrowserLikeClient, code: str) -> dict[str, Any]:
    response = client.get(f"/certificates/{code}/credential.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    return response.get_json(force=True)  # type: ignore[no-any-return]


def test_credential_is_a_schema_valid_open_badge_in_the_holders_language(
        app: Flask, client: BrowserLikeClient, holder) -> None:  # type: ignore[no-untyped-def]
    certificate_id, code = issue(app, holder.id)
    credential = fetch_credential(client, code)

    schema = standard("achievementcredential.schema.json")
    jsonschema.Draft201909Validator.check_schema(schema)
    errors = list(jsonschema.Draft201909Validator(
        schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER,
    ).iter_errors(credential))
    assert errors == []

    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"{BASE_URL}/certificates/{code}/credential.json"
    assert credential["issuer"]["id"] == f"{BASE_URL}/issuer"
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["inLanguage"] == "fr"
    assert achievement["name"] == in_french(TOT_NAME)
    assert in_french("Modules 1 to 4 completed.") in achievement["criteria"]["narrative"]
    assert in_french("Post-course knowledge test taken.") not in \
        achievement["criteria"]["narrative"]  # a rule the holder was not assessed on
    assert in_french("Delivered %(num)d in-country training.",
                     "Delivered %(num)d in-country trainings.", 2) in achievement["description"]
    identifiers = credential["credentialSubject"]["identifier"]
    assert {"type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": HOLDER} in identifiers
    (email,) = [item for item in identifiers if item["identityType"] == "emailAddress"]
    assert email["identityHash"] == "sha256$" + hashlib.sha256(
        (HOLDER_EMAIL + email["salt"]).encode()).hexdigest()
    assert HOLDER_EMAIL not in json.dumps(credential)  # the address itself is not published

    status = credential["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert status["statusListIndex"] == str(certificate_id)
    assert status["statusListCredential"] == f"{BASE_URL}/certificates/status-list"


def test_bilingual_certificate_carries_both_languages(
        app: Flask, client: BrowserLikeClient, holder) -> None:  # type: ignore[no-untyped-def]
    _, code = issue(app, holder.id, language="en+fr")
    achievement = fetch_credential(client, code)["credentialSubject"]["achievement"]
    assert achievement["name"] == f"{TOT_NAME} / {in_french(TOT_NAME)}"
    assert "inLanguage" not in achievement


def test_proof_verifies_independently_and_one_changed_letter_breaks_it(
        app: Flask, client: BrowserLikeClient, holder) -> None:  # type: ignore[no-untyped-def]
    _, code = issue(app, holder.id)
    credential = fetch_credential(client, code)
    (proof,) = credential["proof"]
    assert proof["type"] == "DataIntegrityProof" and proof["cryptosuite"] == "eddsa-rdfc-2022"
    public_key = served_public_key(client, proof["verificationMethod"])

    independently_verify(credential, public_key)
    with app.app_context():
        assert openbadges.verify(credential)

    tampered_name = copy.deepcopy(credential)
    identifiers = tampered_name["credentialSubject"]["identifier"]
    identifiers[0]["identityHash"] = identifiers[0]["identityHash"].replace("Aimée", "Aimee")
    tampered_achievement = copy.deepcopy(credential)
    achievement = tampered_achievement["credentialSubject"]["achievement"]
    achievement["name"] = achievement["name"][:-1] + "X"
    for tampered in (tampered_name, tampered_achievement):
        with pytest.raises(InvalidSignature):
            independently_verify(tampered, public_key)
        with app.app_context():
            assert not openbadges.verify(tampered)


def test_credential_signed_before_a_rotation_still_verifies(
        app: Flask, client: BrowserLikeClient, runner, holder, make_user) -> None:  # type: ignore[no-untyped-def]
    _, old_code = issue(app, holder.id)
    old = fetch_credential(client, old_code)

    result = runner.invoke(args=["certificates", "keys", "rotate"])
    assert result.exit_code == 0, result.output
    other = make_user(Role.PARTICIPANT, name="Jean-Baptiste Hakizimana", language="en")
    _, new_code = issue(app, other.id, language="en", name="Jean-Baptiste Hakizimana")
    new = fetch_credential(client, new_code)

    old_method = old["proof"][0]["verificationMethod"]
    new_method = new["proof"][0]["verificationMethod"]
    assert old_method != new_method
    independently_verify(old, served_public_key(client, old_method))
    independently_verify(new, served_public_key(client, new_method))
    with app.app_context():
        assert openbadges.verify(old) and openbadges.verify(new)

    listing = runner.invoke(args=["certificates", "keys", "list"])
    lines = listing.output.strip().splitlines()
    assert len(lines) == 2
    assert old_method in lines[0] and "retired" in lines[0]
    assert new_method in lines[1] and "active" in lines[1]


def decoded_status_bits(client: BrowserLikeClient) -> tuple[bytes, dict[str, Any]]:
    response = client.get("/certificates/status-list")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    document = response.get_json(force=True)
    encoded = document["credentialSubject"]["encodedList"]
    assert encoded[0] == "u"  # multibase base64url, no padding
    padded = encoded[1:] + "=" * (-len(encoded[1:]) % 4)
    return gzip.decompress(base64.urlsafe_b64decode(padded)), document


def test_status_list_sets_the_bit_of_a_revoked_certificate(
        app: Flask, client: BrowserLikeClient, holder) -> None:  # type: ignore[no-untyped-def]
    certificate_id, code = issue(app, holder.id)
    index = int(fetch_credential(client, code)["credentialStatus"]["statusListIndex"])
    assert index == certificate_id

    bits, document = decoded_status_bits(client)
    assert len(bits) * 8 >= 131_072
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert document["credentialSubject"]["statusPurpose"] == "revocation"
    assert bits[index // 8] & (0x80 >> (index % 8)) == 0
    with app.app_context():
        assert openbadges.verify(document)

    with app.app_context():
        db.session.get(Certificate, certificate_id).status = CertificateStatus.REVOKED  # type: ignore[union-attr]
        db.session.commit()
    bits, document = decoded_status_bits(client)
    assert bits[index // 8] & (0x80 >> (index % 8)) != 0
    assert sum(bin(byte).count("1") for byte in bits) == 1
    independently_verify(document,
                         served_public_key(client, document["proof"][0]["verificationMethod"]))


def test_issuer_profile_and_unknown_addresses(app: Flask, client: BrowserLikeClient) -> None:
    response = client.get("/issuer")
    assert response.status_code == 200
    profile = response.get_json(force=True)
    assert profile["id"] == f"{BASE_URL}/issuer"
    assert profile["type"] == ["Profile"] and profile["url"] == BASE_URL and profile["name"]
    assert client.get("/issuer/keys/no-such-key").status_code == 404
    assert client.get("/certificates/no-such-code/credential.json").status_code == 404


def test_keys_cli_generates_once_and_stores_the_seed_encrypted(app: Flask, runner) -> None:  # type: ignore[no-untyped-def]
    assert "No signing key yet" in runner.invoke(args=["certificates", "keys", "list"]).output
    first = runner.invoke(args=["certificates", "keys", "generate"])
    assert first.exit_code == 0 and "Generated key" in first.output
    again = runner.invoke(args=["certificates", "keys", "generate"])
    assert again.exit_code == 0 and "already exists" in again.output
    with app.app_context():
        (key,) = db.session.query(SigningKey).all()
        assert key.public_key_multibase.startswith("z6Mk")
        assert key.key_id in first.output
        # Neither the raw seed nor anything decodable without SECRET_KEY is stored.
        seed = keys.private_key(key).private_bytes_raw()
        assert seed.hex() not in key.private_key_encrypted
        assert base64.urlsafe_b64encode(seed).decode() not in key.private_key_encrypted
        app.config["SECRET_KEY"] = "another secret"
        with pytest.raises(keys.SigningKeyUnavailable):
            keys.private_key(key)


def test_first_credential_creates_the_signing_key_and_audits_it(
        app: Flask, holder) -> None:  # type: ignore[no-untyped-def]
    issue(app, holder.id)
    with app.app_context():
        (key,) = db.session.query(SigningKey).all()
        events = db.session.query(AuditEvent).filter_by(
            action="certificates.signing_key_generated").all()
        assert [event.details["key_id"] for event in events] == [key.key_id]
