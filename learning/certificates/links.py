"""Public addresses of certificates, printed on documents and encoded in their QR codes."""

from __future__ import annotations

from flask import current_app


def verification_url(code: str) -> str:
    """The absolute public verification address of the certificate with ``code``.

    Built from ``BASE_URL`` rather than the request, so it is the same in a request, in a
    CLI command or in a background job, and a forged Host header cannot change it.
    """
    return f"{current_app.config['BASE_URL']}/verify/{code}"
