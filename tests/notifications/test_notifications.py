"""The notification service: one call, the recipient's language, in-app and by e-mail."""

from __future__ import annotations

import html

from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from learning.notifications.services import notify


def test_notify_speaks_the_recipients_language_and_counts_unread(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT, language="fr", name="Aline")
    with app.test_request_context():
        notify(db.session.get(User, person.id), "password_reset", link="https://x.test/r",
               hours=2)
        db.session.commit()
    with app.app_context():
        email = db.session.scalar(select(OutboundEmail))
        assert email.language == "fr" and email.subject.startswith("Choisissez")
        assert "Bonjour Aline" in email.body
        assert db.session.scalar(select(Notification)).read_at is None
    login(person)
    page = html.unescape(client.get("/").get_data(as_text=True))
    assert '<span class="badge" aria-label="1 non lue">1</span>' in page
    inbox = html.unescape(client.get("/notifications").get_data(as_text=True))
    assert "Choisissez" in inbox
    client.post("/notifications/read", data={"csrf_token": client.token()})
    assert 'class="badge"' not in client.get("/").get_data(as_text=True)


def test_smtp_failure_keeps_the_message_in_the_outbox(app, make_user):
    person = make_user(Role.PARTICIPANT)
    app.config["SMTP_HOST"] = "127.0.0.1"
    app.config["SMTP_PORT"] = 9  # discard port: nothing listens, the connection is refused
    with app.test_request_context():
        notify(db.session.get(User, person.id), "password_reset", link="https://x.test/r",
               hours=2)
        db.session.commit()
    with app.app_context():
        email = db.session.scalar(select(OutboundEmail))
        assert email.sent_at is None and email.error


def test_builtin_validation_messages_are_french_too(client, make_user, login):
    login(make_user(Role.ADMIN, country=None, language="fr"))
    response = client.submit("/cohorts/new", {"name": "X", "languages": ["xx"],
                                              "start_date": "pas une date",
                                              "end_date": "2030-01-01"})
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Saisissez une date valide." in page
    assert "n'est pas un choix valide pour ce champ." in page  # WTForms' own message
    assert "Not a valid" not in page
