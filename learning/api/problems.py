"""RFC 9457 problem details: the one shape of every error the JSON API returns."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from flask import Response, has_request_context, json, request
from flask_babel import gettext as _

PROBLEM_MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A ``application/problem+json`` response.

    ``type`` defaults to ``about:blank`` (the title is then the HTTP reason phrase's meaning,
    as RFC 9457 §4.2.1 asks); pass ``type="https://…"`` for a specific problem type. Extra
    keyword arguments become extension members (e.g. ``errors=[…]``). A 401 always carries
    ``WWW-Authenticate: Bearer`` unless the caller gives its own challenge in ``headers``.
    """
    body: dict[str, Any] = {
        "type": extra.pop("type", "about:blank"),
        "title": title,
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if has_request_context():
        # A URI reference: whatever was in the path, percent-encoded.
        body["instance"] = quote(request.path, safe="/", errors="replace")
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    if status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = "Bearer"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _default_details() -> dict[int, str]:
    return {
        400: _("The request is malformed."),
        401: _("Send a valid personal access token: Authorization: Bearer <token>."),
        403: _("Your role does not give access to this resource."),
        404: _("There is no such resource, or it is not available to you."),
        405: _("This method is not available for this resource."),
        429: _("Too many requests with this token. Please wait and try again."),
        500: _("Something went wrong. Nothing was saved."),
    }


def status_problem(status: int, detail: str | None = None) -> Response:
    """The problem for an HTTP status, titled with its reason phrase (``about:blank``).

    A 401 for a request that did send credentials says the token was refused
    (RFC 6750 ``error="invalid_token"``), so a client can tell "missing" from "rejected".
    """
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    headers = {}
    if status == HTTPStatus.UNAUTHORIZED and has_request_context() and (
            request.headers.get("Authorization")):
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return problem(status, title, detail or _default_details().get(status), headers=headers)
