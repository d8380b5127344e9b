"""Security headers, CSRF, JSON errors, error pages, size limits, page weight."""

from __future__ import annotations

import gzip
import re

from learning.accounts.models import Role


def test_security_headers_on_every_page(client, make_user, login):
    login(make_user(Role.ADMIN, country=None))
    for url in ["/", "/people", "/cohorts", "/account"]:
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        for directive in ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                          "script-src 'self'"]:
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert headers["Cache-Control"] == "no-store"


def test_session_cookie_is_httponly_and_lax(client, make_user, login):
    response = login(make_user(Role.PARTICIPANT))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused_and_changes_nothing(app, client, make_user, login):
    user = make_user(Role.PARTICIPANT)
    login(user)
    response = client.post("/account", data={"name": "Hijacked", "language": "en"})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert "Hijacked" not in client.get("/account").get_data(as_text=True)


def test_json_callers_get_401_not_a_redirect(client):
    response = client.get("/account", headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.is_json and response.json["status"] == 401


def test_not_found_page_in_french(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_oversized_request_gets_413(client):
    response = client.post("/login", data={"email": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413


def test_unexpected_error_shows_the_error_page_and_saves_nothing(database_url, tmp_path):
    from learning import create_app
    from learning.config import TestConfig

    config = TestConfig(instance_path=tmp_path, database_url=database_url)
    config.SHOW_ERROR_PAGES = True
    app = create_app(config)

    @app.get("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    boom.access_rule = app.view_functions["core.home"].access_rule  # type: ignore[attr-defined]
    response = app.test_client().get("/boom", headers={"Accept-Language": "fr"})
    assert response.status_code == 500
    assert "Un problème est survenu" in response.get_data(as_text=True)


EXTERNAL = re.compile(r"""(?:src|href|action)=["'](?:https?:)?//""", re.I)


def test_no_page_references_an_external_host(client, make_user, login):
    anonymous_pages = ["/", "/login", "/password/forgot"]
    for url in anonymous_pages:
        assert not EXTERNAL.search(client.get(url).get_data(as_text=True)), url
    login(make_user(Role.ADMIN, country=None))
    for url in ["/", "/people", "/people/invite", "/cohorts", "/cohorts/new", "/account",
                "/notifications", "/admin/audit", "/admin/outbox"]:
        assert not EXTERNAL.search(client.get(url).get_data(as_text=True)), url


def test_signed_in_home_page_weighs_under_30_kb_gzipped(client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    html = client.get("/").get_data()
    assets = re.findall(rb'(?:href|src)="(/static/[^"]+)"', html)
    total = len(gzip.compress(html))
    for path in assets:
        with client.get(path.decode()) as asset:
            total += len(gzip.compress(asset.get_data()))
    assert total < 30 * 1024, total


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok", "database": "ok"}
