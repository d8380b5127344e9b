"""Every write route refuses a missing or foreign CSRF token, and no GET route writes.

Both checks enumerate ``app.url_map`` with the role matrix's world, so a route added
tomorrow is covered without touching this file.
"""

from __future__ import annotations

import hashlib

import pytest
from flask import Flask
from sqlalchemy import select, text

from learning.db import Base, db
from tests.conftest import BrowserLikeClient, sign_in
from tests.test_access_matrix import _route_methods, rule_url, world  # noqa: F401  (fixture)

# Writes that are not made with a browser form: token-authenticated API calls carry no
# cookie, so there is nothing for a forged cross-site request to ride on.
TOKEN_ONLY_PREFIX = "/api/"

# Tables a GET may add to by design: the audit log records who exported what, and the
# throttle counts lookups of public pages such as certificate verification.
LOGGING_TABLES = {"audit_events", "throttle_hits"}

SIGNED_IN_ROLES = ["participant", "facilitator", "focal_point", "coordinator", "admin"]


def _fingerprint() -> dict[str, str]:
    """A digest of every row of every table (logging tables aside)."""
    digests = {}
    for table in Base.metadata.sorted_tables:
        if table.name in LOGGING_TABLES:
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@pytest.mark.parametrize("role", ["participant", "admin"])
def test_every_write_route_refuses_missing_and_foreign_csrf_tokens(
        app: Flask, world, role: str) -> None:  # noqa: F811
    people, ids = world
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(client, people[role]).status_code == 302
    stranger: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    foreign_token = stranger.token()  # valid, but for another browser's session
    with app.app_context():
        before = _fingerprint()
    accepted = []
    writes = [(endpoint, method, rule) for endpoint, method, rule in _route_methods(app)
              if method != "GET" and not rule.startswith(TOKEN_ONLY_PREFIX)
              and endpoint != "accounts.logout"]
    assert len(writes) > 40  # the enumeration found the application's forms
    for _endpoint, method, rule in writes:
        url = rule_url(rule, ids)
        for token in (None, foreign_token):
            data = {} if token is None else {"csrf_token": token}
            response = client.open(url, method=method, data=data)
            if response.status_code != 400 or b"expired or was sent from elsewhere" not in \
                    response.data:
                accepted.append(f"{method} {url} token={'foreign' if token else 'none'}: "
                                f"{response.status_code}")
    assert accepted == []
    with app.app_context():
        assert _fingerprint() == before, "a refused form still wrote something"


@pytest.mark.parametrize("role", ["anonymous", *SIGNED_IN_ROLES])
def test_no_get_route_writes(app: Flask, world, role: str) -> None:  # noqa: F811
    people, ids = world
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    if role != "anonymous":
        assert sign_in(client, people[role]).status_code == 302
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        before = _fingerprint()
    writers = []
    for endpoint, method, rule in _route_methods(app):
        if method != "GET":
            continue
        client.get(rule_url(rule, ids))
        with app.app_context():
            after = _fingerprint()
        changed = sorted(name for name in after if after[name] != before[name])
        if changed:
            writers.append(f"GET {rule} ({endpoint}) changed {changed}")
            before = after
    assert writers == []
