"""Public verification of certificates: anyone, without an account, in English or French.

``/verify/<code>`` answers valid / revoked (with its date) / superseded (with a link to the
newer certificate) / unknown, and shows only the holder's name, the programme, the cohort
and the issue date. The revocation reason is never shown: it may be personal. A PDF (or its
SHA-256) posted to the same address is compared with the fingerprint stored at issue, so an
edited file is told apart from the issued one; posted to ``/verify`` it is looked up among
every issued document. Unknown and malformed codes get the same 404 answer. Every lookup is
counted per client address (``learning.accounts.throttle``).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from learning.access import public
from learning.accounts.throttle import throttle
from learning.certificates import bp
from learning.certificates.document import programme_title
from learning.certificates.models import Certificate, CertificateStatus
from learning.certificates.verify_forms import FileCheckForm, LookupForm
from learning.core.errors import render_error
from learning.db import db, write_intent

THROTTLE_BUCKET = "certificate-verify"

Page = Response | tuple[str, int] | tuple[Response, int] | str


@dataclass(frozen=True)
class Verdict:
    """What the public may learn about one certificate."""

    status: CertificateStatus
    holder_name: str
    holder_deleted: bool  # the holder's personal data was deleted at their request
    cohort_name: str
    issued_on: date
    serial: str
    code: str
    revoked_on: date | None
    superseded_on: date | None
    newer_code: str | None


def _verdict(certificate: Certificate) -> Verdict:
    newer_code = None
    if certificate.superseded_by_id is not None:
        newer_code = db.session.scalar(
            select(Certificate.code).where(Certificate.id == certificate.superseded_by_id))
    return Verdict(
        status=certificate.status,
        holder_name=certificate.holder_name,
        holder_deleted=certificate.holder_deleted_at is not None,
        cohort_name=certificate.cohort.name,
        issued_on=certificate.issued_at.date(),
        serial=certificate.serial,
        code=certificate.code,
        revoked_on=certificate.revoked_at.date() if certificate.revoked_at else None,
        superseded_on=certificate.superseded_at.date() if certificate.superseded_at else None,
        newer_code=newer_code,
    )


def _by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code))


def _by_fingerprint(sha256: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.pdf_sha256 == sha256))


def _same_file(certificate: Certificate, sha256: str) -> bool:
    return certificate.pdf_sha256 is not None and hmac.compare_digest(
        certificate.pdf_sha256, sha256)


# --- rate limit ---------------------------------------------------------------------------

def _address() -> str:
    return request.remote_addr or "unknown"


def _over_limit() -> bool:
    config = current_app.config
    return (throttle().count(THROTTLE_BUCKET, _address(), config["VERIFY_WINDOW"])
            >= config["VERIFY_MAX_LOOKUPS_PER_ADDRESS"])


def _count_lookup() -> None:
    # A GET opens a read-only transaction (learning.db): end it, then write the hit with
    # the write lock taken up front, as a POST would.
    db.session.commit()
    write_intent.set(True)
    throttle().hit(THROTTLE_BUCKET, _address(), current_app.config["VERIFY_WINDOW"])
    db.session.commit()


def _too_many() -> tuple[Response, int]:
    body, status = render_error(429, _(
        "Too many verification requests from your network. Please wait a few minutes and try "
        "again."))
    response = current_app.make_response((body, status))
    window = current_app.config["VERIFY_WINDOW"]
    response.headers["Retry-After"] = str(int(window.total_seconds()))
    return response, status


# --- pages ----------------------------------------------------------------------------------

def _page(template: str, status: int = 200, **context: object) -> tuple[Response, int]:
    response = current_app.make_response(render_template(
        template, programme=programme_title(), **context))
    # A revocation must show at once; search engines have no business listing holders.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response, status


@bp.get("/verify")
@public
def verify_start() -> Page:
    lookup = LookupForm(request.args)
    if request.args and lookup.validate():
        return redirect(url_for("certificates.verify_code", code=lookup.verification_code()))
    return _page("certificates/verify_start.html", lookup=lookup, check=FileCheckForm())


@bp.post("/verify")
@public
def verify_file() -> Page:
    """Which issued certificate, if any, is this exact file?"""
    if _over_limit():
        return _too_many()
    check = FileCheckForm()
    if not check.validate_on_submit():
        return _page("certificates/verify_start.html", 400, lookup=LookupForm(formdata=None),
                     check=check)
    fingerprint = check.fingerprint()
    certificate = _by_fingerprint(fingerprint)
    verdict = _verdict(certificate) if certificate else None
    _count_lookup()
    if verdict is None:
        return _page("certificates/verify_no_match.html", fingerprint=fingerprint)
    return _page("certificates/verify_result.html", verdict=verdict, check=FileCheckForm(
        formdata=None), file_matches=True, fingerprint=fingerprint)


@bp.route("/verify/<code>", methods=["GET", "POST"])
@public
def verify_code(code: str) -> Page:
    if _over_limit():
        return _too_many()
    check = FileCheckForm()
    certificate = _by_code(code)
    verdict = _verdict(certificate) if certificate else None
    file_matches: bool | None = None
    fingerprint = None
    status = 200
    if certificate is None:
        status = 404
    elif request.method == "POST":
        if check.validate_on_submit():
            fingerprint = check.fingerprint()
            file_matches = _same_file(certificate, fingerprint)
            check = FileCheckForm(formdata=None)
        else:
            status = 400
    _count_lookup()
    if verdict is None:
        return _page("certificates/verify_unknown.html", status, lookup=LookupForm(formdata=None))
    return _page("certificates/verify_result.html", status, verdict=verdict, check=check,
                 file_matches=file_matches, fingerprint=fingerprint)
