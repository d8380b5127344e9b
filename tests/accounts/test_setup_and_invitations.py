"""First administrator, invitations and their e-mails, as a newcomer meets them."""

from __future__ import annotations

import re

from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.db import db
from learning.notifications.models import OutboundEmail

LINK = re.compile(r"http://127\.0\.0\.1:5000(/\S+)")


def _setup_path(runner) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0
    return LINK.search(result.output).group(1)  # type: ignore[union-attr]


def _last_email(app, recipient: str) -> OutboundEmail:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.recipient == recipient)
            .order_by(OutboundEmail.id.desc())
        ).first()


def test_setup_link_creates_the_first_admin_once(app, client, runner):
    path = _setup_path(runner)
    assert client.get(path).status_code == 200
    response = client.submit(path, {
        "name": "Amina Diallo", "email": "Amina@Example.org", "language": "fr",
        "password": "a long passphrase", "confirm": "a long passphrase",
    })
    assert response.status_code == 302
    with app.app_context():
        admin = db.session.scalar(select(User))
        assert (admin.email, admin.role, admin.language) == ("amina@example.org", Role.ADMIN, "fr")
    # Single use: the link is dead, and no new link is printed once an admin exists.
    assert client.get(path).status_code == 404
    assert "administrator exists already" in runner.invoke(args=["setup-link"]).output


def test_setup_refuses_mismatched_passwords_and_writes_nothing(app, client, runner):
    path = _setup_path(runner)
    response = client.submit(path, {
        "name": "Amina", "email": "amina@example.org", "language": "en",
        "password": "a long passphrase", "confirm": "another passphrase",
    })
    assert response.status_code == 400
    assert "The two passwords are not the same." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_admin_invites_a_french_speaking_facilitator_who_accepts(app, client, make_user, login):
    admin = make_user(Role.ADMIN, country=None)
    login(admin)
    response = client.submit("/people/invite", {
        "name": "Jean Niyonzima", "email": "jean@example.org", "role": "facilitator",
        "language": "fr", "country": "BI", "organisation": "", "organisation_type": "other",
        "job_title": "", "cohort": "",
    })
    assert response.status_code == 302
    email = _last_email(app, "jean@example.org")
    assert email.language == "fr"
    assert email.subject == "Votre invitation à Tandem"
    assert "Bonjour Jean Niyonzima" in email.body
    path = LINK.search(email.body).group(1)  # type: ignore[union-attr]

    client.post("/logout", data={"csrf_token": client.token()})
    page = client.get(path)
    assert page.status_code == 200
    response = client.submit(path, {"name": "Jean Niyonzima", "language": "fr",
                                     "password": "umuganda 2030!", "confirm": "umuganda 2030!"})
    assert response.status_code == 302
    home = client.get("/")
    assert "Bonjour Jean Niyonzima" in home.get_data(as_text=True)
    # The link works once.
    client.post("/logout", data={"csrf_token": client.token()})
    assert client.get(path).status_code == 404


def test_facilitator_can_invite_only_participants_into_their_cohorts(app, client, make_user,
                                                                      login):
    facilitator = make_user(Role.FACILITATOR, country=None)
    login(facilitator)
    page = client.get("/people/invite").get_data(as_text=True)
    assert 'value="admin"' not in page and 'value="participant"' in page
    response = client.submit("/people/invite", {
        "name": "X", "email": "x@example.org", "role": "admin", "language": "en",
        "country": "BI", "organisation_type": "other", "cohort": "",
    })
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_duplicate_and_malformed_emails_are_refused_in_french(app, client, make_user, login):
    admin = make_user(Role.ADMIN, country=None, language="fr")
    existing = make_user(Role.PARTICIPANT, email="deja@example.org")
    login(admin)
    for email, message in [
        (existing.email.upper(), "Un compte utilise déjà cette adresse e-mail."),
        ("pas-une-adresse", "Saisissez une adresse e-mail valide"),
        ("a" * 250 + "@example.org", "Cette adresse e-mail est trop longue."),
    ]:
        response = client.submit("/people/invite", {
            "name": "Test", "email": email, "role": "participant", "language": "fr",
            "country": "BI", "organisation_type": "other", "cohort": "",
        })
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), email
    with app.app_context():
        assert db.session.query(User).count() == 2
