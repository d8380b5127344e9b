"""Signing in, throttling, sessions that really end, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest

from learning.accounts.models import Role
from tests.conftest import PASSWORD, sign_in


def test_wrong_password_and_unknown_account_get_the_same_answer(client, make_user):
    user = make_user(Role.PARTICIPANT)
    wrong = client.submit("/login", {"email": user.email, "password": "not the password"})
    unknown = client.submit("/login", {"email": "nobody@example.org", "password": "whatever1"})
    assert wrong.status_code == unknown.status_code == 200
    message = "The e-mail address or password is not right."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_sign_in_is_throttled_per_account_even_with_the_right_password(app, client, make_user):
    user = make_user(Role.PARTICIPANT)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        client.submit("/login", {"email": user.email, "password": "wrong password"})
    response = sign_in(client, user)
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_unknown_accounts_are_throttled_the_same_way(app, client):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        client.submit("/login", {"email": "ghost@example.org", "password": "wrong password"})
    response = client.submit("/login", {"email": "ghost@example.org", "password": "x" * 12})
    assert response.status_code == 429


def test_throttle_is_shared_through_redis_when_configured(app, make_user):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15").ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running")
    from learning.accounts.throttle import RedisThrottle

    throttle = RedisThrottle("redis://127.0.0.1:6379/15")
    window = timedelta(minutes=1)
    throttle.clear("test", "key")
    throttle.hit("test", "key", window)
    throttle.hit("test", "key", window)
    assert RedisThrottle("redis://127.0.0.1:6379/15").count("test", "key", window) == 2
    throttle.clear("test", "key")


def test_signing_out_kills_every_copy_of_the_session_cookie(app, client, make_user, login):
    user = make_user(Role.PARTICIPANT)
    login(user)
    stolen = client.get_cookie("tandem_session").value
    client.post("/logout", data={"csrf_token": client.token()})
    thief = app.test_client()
    thief.set_cookie("tandem_session", stolen)
    assert thief.get("/account").status_code == 302


def test_changing_password_signs_out_other_devices_but_not_this_one(app, client, make_user,
                                                                     login):
    user = make_user(Role.PARTICIPANT)
    other_device = app.test_client()
    assert sign_in(other_device, user).status_code == 302
    login(user)
    response = client.submit("/account/password", {
        "current_password": PASSWORD, "password": "a brand new phrase",
        "confirm": "a brand new phrase"})
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302


def test_deactivating_a_user_ends_their_session(app, client, make_user, login):
    admin = make_user(Role.ADMIN, country=None)
    person = make_user(Role.PARTICIPANT)
    their_device = app.test_client()
    assert sign_in(their_device, person).status_code == 302
    login(admin)
    response = client.submit(f"/people/{person.id}", {"role": "participant", "country": "BI"})
    assert response.status_code == 302  # is_active unchecked
    assert their_device.get("/account").status_code == 302
    assert sign_in(their_device, person).status_code == 200  # refused


def test_idle_sessions_end(app, client, make_user, login):
    user = make_user(Role.PARTICIPANT)
    login(user)
    with client.session_transaction() as session:
        session["seen"] -= int(app.config["SESSION_IDLE_TIMEOUT"].total_seconds()) + 1
    assert client.get("/account").status_code == 302


@pytest.mark.parametrize("target", [
    "//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%5Cevil.example", "\\\\evil.example",
])
def test_next_only_redirects_to_local_paths(client, make_user, target):
    user = make_user(Role.PARTICIPANT)
    client.get("/login")
    response = client.post(f"/login?next={target}", data={
        "csrf_token": client.token(), "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_keeps_a_local_path(client, make_user):
    user = make_user(Role.PARTICIPANT)
    client.get("/login")
    response = client.post("/login?next=/notifications", data={
        "csrf_token": client.token(), "email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/notifications"


def test_password_reset_link_works_once(app, client, make_user):
    from sqlalchemy import select

    from learning.db import db
    from learning.notifications.models import OutboundEmail

    user = make_user(Role.PARTICIPANT)
    unknown = client.submit("/password/forgot", {"email": "nobody@example.org"})
    known = client.submit("/password/forgot", {"email": user.email})
    assert unknown.status_code == known.status_code == 302
    with app.app_context():
        emails = list(db.session.scalars(select(OutboundEmail)))
    assert [email.recipient for email in emails] == [user.email]
    path = emails[0].body.split("http://127.0.0.1:5000", 1)[1].split()[0]
    response = client.submit(path, {"password": "fresh passphrase", "confirm": "fresh passphrase"})
    assert response.status_code == 302
    assert client.get(path).status_code == 404
    assert sign_in(client, user, "fresh passphrase").status_code == 302
