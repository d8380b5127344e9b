"""xAPI statement intake for external authoring tools (see ``xapi_services``).

Machine to machine: the caller authenticates with an API token of an admin (the
"integration" account), as ``Authorization: Bearer <token>`` or, as xAPI tools such as
Easygenerator send it, HTTP Basic with any user name and the token as password. Browser
sessions do not count here, and there is no form, so CSRF does not apply.

- ``POST /api/v1/xapi/statements``: one statement or an array; 200 with the array of
  statement ids (xAPI Communication 2.1.2).
- ``PUT /api/v1/xapi/statements?statementId=<uuid>``: one statement; 204.
- ``GET /api/v1/xapi/unmatched``: (admin token) statements whose person or unit is unknown.
Every accepted statement is stored, whatever its verb; only completed/passed of a mapped
unit change anything in Tandem. A replay (same id, same content) gets the same answer; the
same id with other content is 409; an invalid statement refuses the whole batch (400).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _

from learning.access import public, roles
from learning.accounts.models import Role, User
from learning.api import bp
from learning.api.pagination import paginate_query
from learning.api.problems import problem
from learning.api.tokens import user_for_bearer
from learning.api.xapi_models import XapiStatement
from learning.api.xapi_services import (
    SUPPORTED_VERSION,
    VERSION,
    VERSION_HEADER,
    ConflictingStatement,
    InvalidStatement,
    canonical_id,
    parse_batch,
    parse_statement,
    receive,
    unmatched_query,
)
from learning.extensions import csrf

CHALLENGE = 'Basic realm="Tandem xAPI", Bearer'


def _as_bearer(header: str | None) -> str | None:
    """``Authorization`` with a Basic password turned into the Bearer form tokens expect."""
    if not header:
        return None
    scheme, _sep, credentials = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return header
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    password = decoded.partition(":")[2]
    return f"Bearer {password}" if password else None


def _versioned(response: Response) -> Response:
    response.headers[VERSION_HEADER] = VERSION
    return response


def _integration_user() -> User | Response:
    """The admin behind the request's token, or the problem response to send instead."""
    user = user_for_bearer(_as_bearer(request.headers.get("Authorization")))
    if user is None:
        return problem(401, _("Authentication required"),
                       _("Send an API token as a Bearer token or as the Basic password."),
                       headers={"WWW-Authenticate": CHALLENGE})
    if user.role != Role.ADMIN:
        return problem(403, _("Not allowed"),
                       _("Only an administrator's token may send xAPI statements."))
    return user


def _bad_request(detail: str, index: int | None = None) -> Response:
    extra: dict[str, Any] = {"statement_index": index} if index is not None else {}
    return problem(400, _("Invalid xAPI request"), detail, **extra)


@bp.route("/xapi/statements", methods=["POST", "PUT"])
@public  # authenticated by API token in the view: sessions do not count here
@csrf.exempt
def xapi_statements() -> Response:
    submitter = _integration_user()
    if isinstance(submitter, Response):
        return _versioned(submitter)
    return _versioned(_statements(submitter))


def _statements(submitter: User) -> Response:
    version = request.headers.get(VERSION_HEADER, "").strip()
    if not SUPPORTED_VERSION.match(version):
        return _bad_request(_("The X-Experience-API-Version header must be 1.0.x."))
    try:
        payload = json.loads(request.get_data(cache=False) or b"")
    except (ValueError, UnicodeDecodeError):
        return _bad_request(_("The body is not valid JSON."))
    try:
        if request.method == "PUT":
            statement_id = canonical_id(request.args.get("statementId"))
            if statement_id is None:
                return _bad_request(_("The statementId parameter must be a UUID."))
            if not isinstance(payload, dict):
                return _bad_request(_("PUT takes a single statement."))
            statements = [parse_statement(payload, 0, statement_id)]
        else:
            statements = parse_batch(payload)
    except InvalidStatement as error:
        # The validation messages are xAPI field names and rules, for the tool's developer.
        return _bad_request(error.detail, error.index)
    try:
        ids = receive(submitter, statements)
    except ConflictingStatement as conflict:
        return problem(409, _("Conflicting statement"),
                       _("A different statement with this id was already received."),
                       statement_id=conflict.statement_id)
    if request.method == "PUT":
        return Response(status=204)
    return jsonify(ids)


@bp.get("/xapi/unmatched")
@roles(Role.ADMIN)
def xapi_unmatched() -> Response:
    """Statements whose person or course Tandem could not find, newest first, so an admin
    can fix the activity map or create the missing account."""
    return paginate_query(unmatched_query(), _unmatched_item)


def _unmatched_item(row: XapiStatement) -> dict[str, Any]:
    return {
        "statement_id": row.statement_id,
        "reason": row.unmatched_reason,
        "actor": row.actor,
        "verb": row.verb_id,
        "activity": row.activity_id,
        "unit_id": row.unit_id,
        "timestamp": row.timestamp.isoformat() if row.timestamp else None,
        "stored_at": row.stored_at.isoformat(),
    }
