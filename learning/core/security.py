"""Security headers on every response, and no caching of signed-in pages."""

from __future__ import annotations

from flask import Flask, abort, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import is_api_request, wants_json

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Plotly's addStyleRule appends an EMPTY <style> element and fills it with
        # insertRule (CSSOM, which CSP does not govern). The hash of the empty string lets
        # only that empty element in: inline CSS with any content is still refused.
        "style-src 'self' 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)

VERSIONED_STATIC = "vendor/"


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if request.endpoint == "static" and (request.view_args or {}).get(
            "filename", "").startswith(VERSIONED_STATIC):
        # Vendored files carry their version in their name: a new version is a new URL.
        headers["Cache-Control"] = "public, max-age=31536000, immutable"
    if request.endpoint != "static" and current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    # Pages are rendered in the reader's language; shared caches must not mix them.
    if request.endpoint != "static":
        headers.add("Vary", "Cookie")
    return response


def refuse_nul_characters() -> Response | None:
    """``before_request``: no field, query value or JSON body may carry a NUL character
    (it cannot be stored in PostgreSQL text and is never typed by a person)."""
    values = [*request.args.values(), *request.form.values()]
    if not (any("\x00" in value for value in values) or (
            request.is_json and b"\\u0000" in request.get_data(cache=True))):
        return None
    message = _("The text contains a character that cannot be saved.")
    if wants_json() and not is_api_request():
        # The autosave script's final refusal (ok: false): retrying would not help.
        response = jsonify(ok=False, error=message)
        response.status_code = 400
        return response
    abort(400, message)


def init_app(app: Flask) -> None:
    from learning.core.forms import refused_forms_answer_400

    app.before_request(refuse_nul_characters)
    app.after_request(refused_forms_answer_400)
    app.after_request(add_security_headers)
