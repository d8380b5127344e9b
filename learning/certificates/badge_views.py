"""Public, machine-readable addresses of the Open Badges credentials: each credential, the
issuer profile, the signing keys and the revocation status list. No sign-in: wallets and
verifiers fetch them anonymously.

Media type: ``application/ld+json``. VC 2.0 registered ``application/vc`` only recently
(its drafts used ``application/vc+ld+json``, which many tools still expect); the JSON-LD
type is the stable registration that every JSON-LD processor, Open Badges validator and
browser understands, and these documents are JSON-LD. A client asking for
``application/json`` gets the same bytes and can parse them as plain JSON.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from learning.access import public
from learning.certificates import bp, keys, openbadges
from learning.certificates.models import Certificate
from learning.db import db

JSON_LD = "application/ld+json"


def _json_ld(document: dict[str, Any], max_age: int, status: int = 200) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), status=status,
                        mimetype=JSON_LD)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    # Browser-based verifiers on other origins must be able to read these public documents.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _not_found() -> Response:
    return _json_ld({"error": _("Not found.")}, max_age=60, status=404)


@bp.get("/certificates/<code>/credential.json", endpoint="credential")
@public
def credential(code: str) -> Response:
    """The signed credential exactly as issued (its revocation is in the status list)."""
    certificate = db.session.scalars(select(Certificate).where(Certificate.code == code)).first()
    if certificate is None or certificate.credential is None:
        return _not_found()
    return _json_ld(certificate.credential, max_age=3600)


@bp.get("/issuer", endpoint="issuer")
@public
def issuer() -> Response:
    return _json_ld(openbadges.profile_document(), max_age=3600)


@bp.get("/issuer/keys/<key_id>", endpoint="issuer_key")
@public
def issuer_key(key_id: str) -> Response:
    """A public key, active or retired: it never changes, so it may be cached for long."""
    key = keys.find_key(key_id)
    if key is None:
        return _not_found()
    return _json_ld(keys.multikey_document(key), max_age=86400)


@bp.get("/certificates/status-list", endpoint="status_list")
@public
def status_list() -> Response:
    """The revocation list, signed now; cached briefly so a revocation shows within minutes."""
    document = openbadges.status_list_credential()
    db.session.commit()  # the first signing key, when this is its first use
    return _json_ld(document, max_age=300)
