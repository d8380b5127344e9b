"""Tokens from the profile, what the API refuses and how: problem details everywhere."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.api.models import ApiToken
from learning.api.tokens import create_token
from learning.audit.models import AuditEvent
from learning.db import db
from tests.api.api_world import World, build_world
from tests.conftest import BrowserLikeClient

SECRET = re.compile(r"tdm_[A-Za-z0-9_-]{43}")
PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


@pytest.fixture
def world(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make_user)


def _assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert PROBLEM_MEMBERS <= set(body)
    assert body["status"] == status
    return body


def test_create_token_in_the_profile_shows_the_secret_once(  # type: ignore[no-untyped-def]
        app: Flask, client: BrowserLikeClient, make_user, login) -> None:
    person = make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"])
    login(person)
    assert "/account/api-tokens" in client.get("/account").get_data(as_text=True)
    page = client.submit("/account/api-tokens", {"name": "Donor spreadsheet",
                                                 "expires_on": ""})
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    secrets = SECRET.findall(page.get_data(as_text=True))
    assert len(set(secrets)) == 1
    secret = secrets[0]
    with app.app_context():
        stored = db.session.scalars(select(ApiToken)).one()
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert stored.prefix == secret[:12]
        assert secret not in repr(vars(stored))  # only the hash is kept
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "api_token.created")) is not None
    # Shown once: the list keeps the name and prefix, never the secret again.
    again = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Donor spreadsheet" in again and secret[:12] in again and secret not in again
    # And the token works, as that person, without any cookie.
    api = app.test_client()
    response = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json["id"] == person.id
    assert "Set-Cookie" not in response.headers


def test_a_token_name_is_required_and_a_past_expiry_refused(  # type: ignore[no-untyped-def]
        app: Flask, client: BrowserLikeClient, make_user, login) -> None:
    login(make_user(Role.PARTICIPANT))
    for data in ({"name": ""}, {"name": "Old", "expires_on": "2001-01-01"}):
        response = client.submit("/account/api-tokens", data)
        assert response.status_code == 400
        assert "error-summary" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ApiToken)).all() == []


def test_revoked_token_is_refused(  # type: ignore[no-untyped-def]
        app: Flask, client: BrowserLikeClient, make_user, login) -> None:
    person = make_user(Role.PARTICIPANT)
    login(person)
    secret = SECRET.search(client.submit("/account/api-tokens", {"name": "Script"})
                           .get_data(as_text=True)).group(0)
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 200
    with app.app_context():
        token_id = db.session.scalars(select(ApiToken.id)).one()
    response = client.post(f"/account/api-tokens/{token_id}/revoke",
                           data={"csrf_token": client.token()})
    assert response.status_code == 302
    body = _assert_problem(api.get("/api/v1/me",
                                   headers={"Authorization": f"Bearer {secret}"}), 401)
    assert "Bearer" in api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                               ).headers["WWW-Authenticate"]
    assert body["instance"] == "/api/v1/me"
    listed = client.get("/account/api-tokens").get_data(as_text=True)
    assert "Revoked on" in listed


def test_nobody_revokes_someone_elses_token(  # type: ignore[no-untyped-def]
        app: Flask, client: BrowserLikeClient, make_user, login) -> None:
    owner = make_user(Role.ADMIN)
    with app.app_context():
        token, secret = create_token(db.session.get(User, owner.id), "Owner's")
        db.session.commit()
        token_id = token.id
    login(make_user(Role.ADMIN))
    response = client.post(f"/account/api-tokens/{token_id}/revoke",
                           data={"csrf_token": client.token()})
    assert response.status_code == 404
    api = app.test_client()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                   ).status_code == 200


def test_expired_token_is_refused(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        holder = db.session.get(User, person.id)
        _, expired = create_token(holder, "Old", datetime.now(UTC) - timedelta(seconds=1))
        _, current = create_token(holder, "New", datetime.now(UTC) + timedelta(days=1))
        db.session.commit()
    api = app.test_client()
    _assert_problem(api.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"}), 401)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {current}"}
                   ).status_code == 200


def test_an_expiry_day_counts_in_full(  # type: ignore[no-untyped-def]
        app: Flask, client: BrowserLikeClient, make_user, login) -> None:
    login(make_user(Role.PARTICIPANT))
    today = date.today()
    client.submit("/account/api-tokens", {"name": "Today", "expires_on": today.isoformat()})
    with app.app_context():
        expires_at = db.session.scalars(select(ApiToken.expires_at)).one()
    assert expires_at == datetime(today.year, today.month, today.day, tzinfo=UTC) + timedelta(
        days=1)


def test_an_inactive_persons_token_is_refused(app: Flask, world: World) -> None:
    with app.app_context():
        db.session.get(User, world.people["participant"].id).is_active = False
        db.session.commit()
    _assert_problem(app.test_client().get("/api/v1/me", headers=world.auth("participant")),
                    401)


def test_a_session_cookie_alone_does_not_authenticate_the_api(  # type: ignore[no-untyped-def]
        client: BrowserLikeClient, world: World, login) -> None:
    login(world.people["admin"])
    assert client.get("/account").status_code == 200  # signed in for the web pages
    body = _assert_problem(client.get("/api/v1/cohorts"), 401)
    assert body["title"] == "Unauthorized"
    # With a token the same client reads, and the token decides who it is.
    response = client.get("/api/v1/me", headers=world.auth("participant"))
    assert response.json["id"] == world.people["participant"].id


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer tdm_not-a-token", "Basic abc",
                                    "Token tdm_x"])
def test_missing_or_malformed_credentials_are_401(app: Flask, header: str) -> None:
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/cohorts", headers=headers)
    _assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_problems_for_403_404_405_and_400(  # type: ignore[no-untyped-def]
        app: Flask, world: World) -> None:
    api = app.test_client()
    _assert_problem(api.get("/api/v1/dashboards", headers=world.auth("participant")), 403)
    _assert_problem(api.get("/api/v1/no/such/path", headers=world.auth("admin")), 404)
    _assert_problem(api.get("/api/v1/no/such/path"), 404)
    _assert_problem(api.get("/api/v1/cohorts/999999", headers=world.auth("admin")), 404)
    _assert_problem(api.delete("/api/v1/cohorts", headers=world.auth("admin")), 405)
    _assert_problem(api.post("/api/v1/cohorts", headers=world.auth("admin")), 405)
    for query in ("page=0", "page=x", "per_page=201", "per_page=-1"):
        body = _assert_problem(api.get(f"/api/v1/cohorts?{query}",
                                       headers=world.auth("admin")), 400)
        assert body["invalid_params"][0]["name"] == query.split("=")[0]
    _assert_problem(api.get("/api/v1/reports?status=lost", headers=world.auth("admin")), 400)
    _assert_problem(api.get("/api/v1/certificates?cohort=x", headers=world.auth("admin")), 400)


def test_rate_limit_per_token(app: Flask, world: World) -> None:
    app.config["API_RATE_LIMIT"] = 3
    api = app.test_client()
    for _ in range(3):
        assert api.get("/api/v1/me", headers=world.auth("admin")).status_code == 200
    response = api.get("/api/v1/me", headers=world.auth("admin"))
    _assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # Another token of another person is counted apart.
    assert api.get("/api/v1/me", headers=world.auth("focal_a")).status_code == 200


def test_last_used_is_recorded(app: Flask, world: World) -> None:
    app.test_client().get("/api/v1/me", headers=world.auth("coordinator"))
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at).where(
            ApiToken.user_id == world.people["coordinator"].id))
        unused = db.session.scalar(select(ApiToken.last_used_at).where(
            ApiToken.user_id == world.people["admin"].id))
    assert used is not None and unused is None


def test_pagination_envelope_and_links(app: Flask, world: World) -> None:
    api = app.test_client()
    first = api.get("/api/v1/certificates?per_page=2", headers=world.auth("admin"))
    body = first.json
    assert (body["page"], body["per_page"], body["total"], len(body["items"])) == (1, 2, 3, 2)
    assert body["prev"] is None
    assert "page=2" in body["next"] and "per_page=2" in body["next"]
    assert f'<{body["next"]}>; rel="next"' in first.headers["Link"]
    assert 'rel="last"' in first.headers["Link"] and 'rel="first"' in first.headers["Link"]
    second = api.get(body["next"], headers=world.auth("admin")).json
    assert second["next"] is None and "page=1" in second["prev"]
    assert len(second["items"]) == 1
    seen = {item["id"] for item in body["items"]} | {item["id"] for item in second["items"]}
    assert len(seen) == 3  # the pages do not overlap
    beyond = api.get("/api/v1/certificates?page=9", headers=world.auth("admin")).json
    assert beyond["items"] == [] and beyond["total"] == 3


def test_the_openapi_document_needs_no_token(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json["openapi"].startswith("3.1")
