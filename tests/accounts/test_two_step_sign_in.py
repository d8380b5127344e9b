"""Two-step sign-in (TOTP): turning it on, signing in with a code, replay, requirement."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from learning.accounts import two_factor
from learning.accounts.models import Role, User
from learning.audit.models import AuditEvent
from learning.db import db
from tests.conftest import PASSWORD, in_french, sign_in

SECRET_SHOWN = re.compile(r'<code class="secret">([A-Z2-7]+)</code>')


def _turn_on(client) -> str:
    page = client.get("/account/two-step").get_data(as_text=True)
    secret = SECRET_SHOWN.search(page).group(1)
    assert "<svg" in page  # the QR code to scan
    wrong = client.submit("/account/two-step", {"code": "000000" if pyotp.TOTP(secret).now()
                                                != "000000" else "111111"})
    assert wrong.status_code == 400
    done = client.submit("/account/two-step", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    return secret


def test_turning_it_on_then_signing_in_asks_for_a_code(app, client, make_user):
    person = make_user(Role.FOCAL_POINT, focal_countries=["BI"])
    sign_in(client, person)
    secret = _turn_on(client)
    with app.app_context():
        stored = db.session.get(User, person.id)
        assert stored.totp_secret_sealed and secret not in stored.totp_secret_sealed
    client.post("/logout", data={"csrf_token": client.token()})

    fresh = app.test_client()
    password_step = sign_in(fresh, person)
    assert password_step.headers["Location"].endswith("/login/two-step")
    assert fresh.get("/account").status_code == 302  # not signed in yet
    # A code already used (the one that turned it on) is refused: no replay.
    with app.app_context():
        last_step = db.session.get(User, person.id).totp_last_step
    used = pyotp.TOTP(secret).generate_otp(last_step)
    assert fresh.submit("/login/two-step", {"code": used}).status_code == 400
    totp = pyotp.TOTP(secret)
    next_code = totp.generate_otp(last_step + 1)
    signed = fresh.submit("/login/two-step", {"code": next_code})
    assert signed.status_code == 302
    assert fresh.get("/account").status_code == 200


def test_wrong_codes_are_throttled(app, make_user):
    person = make_user(Role.ADMIN)
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = two_factor.new_secret()
        assert two_factor.enable(user, secret, pyotp.TOTP(secret).at(time.time()))
        db.session.commit()
    client = app.test_client()
    sign_in(client, person)
    statuses = [client.submit("/login/two-step", {"code": "12345x"}).status_code
                for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
        assert actions.count("login.two_step_failed") == 5


def test_an_admin_can_require_it_for_focal_points(app, client, make_user):
    admin = make_user(Role.ADMIN)
    focal = make_user(Role.FOCAL_POINT, focal_countries=["BI"], language="fr")
    sign_in(client, admin)
    saved = client.submit("/admin/security", {"focal_point": "y"})
    assert saved.status_code == 302
    assert client.get("/cohorts").status_code == 200  # admins were not ticked

    other = app.test_client()
    sign_in(other, focal)
    sent = other.get("/cohorts")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/account/two-step")
    page = other.get("/account/two-step").get_data(as_text=True)
    assert in_french("Your role requires two-step sign-in.") in page
    # Writes are refused outright until it is on (the page's token is a valid one).
    assert other.post("/cohorts/new", data={"csrf_token": other.last_token}).status_code == 403
    _turn_on(other)
    assert other.get("/cohorts").status_code == 200


def test_turning_it_off_needs_a_code_and_is_refused_when_required(app, client, make_user):
    person = make_user(Role.PARTICIPANT)
    sign_in(client, person)
    secret = _turn_on(client)
    with app.app_context():
        last_step = db.session.get(User, person.id).totp_last_step
    refused = client.submit("/account/two-step", {"code": "999999"})
    assert refused.status_code == 400
    off = client.submit("/account/two-step",
                        {"code": pyotp.TOTP(secret).generate_otp(last_step + 1)})
    assert off.status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id).totp_secret_sealed is None


def test_the_password_step_alone_does_not_sign_in(app, make_user):
    person = make_user(Role.ADMIN)
    with app.app_context():
        user = db.session.get(User, person.id)
        secret = two_factor.new_secret()
        two_factor.enable(user, secret, pyotp.TOTP(secret).at(time.time()))
        db.session.commit()
    client = app.test_client()
    response = client.submit("/login", {"email": person.email, "password": PASSWORD})
    assert response.headers["Location"].endswith("/login/two-step")
    assert client.get("/admin/audit").status_code == 302
