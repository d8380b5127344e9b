"""Every place that follows a ``next`` parameter stays on this site."""

from __future__ import annotations

import pytest

from learning.accounts.models import Role
from tests.conftest import PASSWORD

PAYLOADS = [
    "//evil.example/", "/\\evil.example", "https://evil.example/", "http:evil.example",
    "javascript:alert(1)", "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%5Cevil.example",
    "\\\\evil.example", "/%09/evil.example", "//%09evil.example", "///evil.example",
    "/\t/evil.example", "%252F%252Fevil.example", "https:/\\evil.example", " //evil.example",
]


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sign_in_next(client, make_user, payload: str) -> None:
    user = make_user(Role.PARTICIPANT)
    response = client.post("/login", query_string={"next": payload}, data={
        "csrf_token": client.token(), "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_language_switch_next(client, payload: str) -> None:
    response = client.post("/language", data={
        "csrf_token": client.token(), "language": "fr", "next": payload})
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"])


@pytest.mark.parametrize("payload", PAYLOADS)
def test_refused_progress_save_next(client, login, make_user, payload: str) -> None:
    login(make_user(Role.PARTICIPANT))
    response = client.post("/learn/sections/m1-introduction/progress", data={
        "csrf_token": client.token(), "next": payload})  # no client key: refused, sent back
    assert response.status_code == 302
    assert _stays_here(response.headers["Location"])
