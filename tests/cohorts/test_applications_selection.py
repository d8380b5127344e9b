"""Country applications after submission: the committee's review and decision, the message
to the coordinator in their language, the team's enrolment in a cohort, and each nominee's
confirmation."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.accounts.services import invitation_accepted
from learning.audit.models import AuditEvent
from learning.cohorts.application_models import (
    ApplicationReview,
    ApplicationStatus,
    Decision,
    Nominee,
)
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from tests.cohorts.test_applications import (
    TEAM,
    load,
    make_application,
    make_cohort,
    page_text,
)
from tests.conftest import in_french

LINK = re.compile(r"http://127\.0\.0\.1:5000(/\S+)")
SCORES = {"relevance_score": "4", "interagency_score": "5", "team_score": "3",
          "basics_score": "4", "comments": "Strong sub-group; team mostly from NGOs."}


def submitted(app: Flask, make_user, country: str = "BI", language: str = "fr",  # type: ignore[no-untyped-def]
              coordinator_language: str = "fr") -> tuple[int, User]:
    coordinator = make_user(Role.COORDINATOR, country=country, language=coordinator_language,
                            name="Mahamat Saleh" if country == "TD" else "Aline Ndayishimiye")
    application_id = make_application(app, coordinator, country=country, language=language,
                                      status=ApplicationStatus.SUBMITTED)
    return application_id, coordinator


def review_and_decide(client, application_id: int, decision: str, cohort_id: int | None,  # type: ignore[no-untyped-def]
                      message: str = "Congratulations to the coordination group."):
    reviewed = client.submit(f"/applications/{application_id}/review", SCORES)
    assert reviewed.status_code == 302
    return client.submit(f"/applications/{application_id}/decision", {
        "decision": decision, "cohort": str(cohort_id or ""), "message": message})


def emails_to(app: Flask, recipient: str) -> list[OutboundEmail]:
    with app.app_context():
        rows = list(db.session.scalars(select(OutboundEmail).where(
            OutboundEmail.recipient == recipient).order_by(OutboundEmail.id)))
        db.session.expunge_all()
        return rows


def enrolments(app: Flask, cohort_id: int) -> dict[str, EnrolmentStatus]:
    with app.app_context():
        rows = db.session.execute(select(User.email, Enrolment.status).join(
            Enrolment, Enrolment.user_id == User.id).where(Enrolment.cohort_id == cohort_id))
        return {email: status for email, status in rows}


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(User.id))) or 0,
                db.session.scalar(select(func.count(Enrolment.id))) or 0,
                db.session.scalar(select(func.count(OutboundEmail.id))) or 0)


def test_a_decision_needs_the_four_scores(app, client, make_user, login):
    application_id, _ = submitted(app, make_user)
    cohort_id = make_cohort(app)
    login(make_user(Role.ADMIN, country=None))
    response = client.submit(f"/applications/{application_id}/decision", {
        "decision": "selected", "cohort": str(cohort_id), "message": "Welcome"})
    assert response.status_code == 409
    assert "Score the four criteria and save the review before deciding." in page_text(response)
    client.submit(f"/applications/{application_id}/review", {**SCORES, "team_score": ""})
    response = client.submit(f"/applications/{application_id}/decision", {
        "decision": "selected", "cohort": str(cohort_id), "message": "Welcome"})
    assert response.status_code == 409
    assert load(app, application_id).status == ApplicationStatus.SUBMITTED
    assert enrolments(app, cohort_id) == {}


def test_not_selected_is_told_to_the_coordinator_in_french(app, client, make_user, login):
    application_id, coordinator = submitted(app, make_user, country="TD")
    login(make_user(Role.ADMIN, country=None))
    response = review_and_decide(client, application_id, "not_selected", None,
                                 message="Nous vous encourageons à postuler l’an prochain.")
    assert response.status_code == 302
    assert load(app, application_id).status == ApplicationStatus.NOT_SELECTED
    [email] = emails_to(app, coordinator.email)
    assert email.language == "fr"
    assert "Tchad" in email.subject
    assert "Bonjour Mahamat Saleh" in email.body and "Tchad" in email.body
    assert "Nous vous encourageons à postuler l’an prochain." in email.body
    assert LINK.search(email.body).group(1) == f"/applications/{application_id}"  # type: ignore[union-attr]
    with app.app_context():
        assert db.session.scalar(select(func.count(Enrolment.id))) == 0
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "application.decided"))
        assert event.details["decision"] == "not_selected"
    # The coordinator reads the decision and message on the application.
    client.post("/logout", data={"csrf_token": client.token()})
    login(coordinator)
    page = page_text(client.get(f"/applications/{application_id}"))
    assert "Nous vous encourageons à postuler l’an prochain." in page
    assert "Strong sub-group" not in page  # the committee's comments stay with the committee


def test_selection_enrols_the_team_reuses_accounts_and_invites_the_others(app, client,
                                                                         make_user, login):
    application_id, coordinator = submitted(app, make_user, coordinator_language="en")
    cohort_id = make_cohort(app, countries=("TD",))
    # Fabrice already has an account (no country yet); Inès was invited once, never came.
    fabrice = make_user(Role.PARTICIPANT, email="fabrice@example.org", country=None,
                        name="Fabrice N.")
    ines = make_user(Role.PARTICIPANT, email="ines@example.org", country="BI", password=None)
    users_before = counts(app)[0]
    admin = make_user(Role.ADMIN, country=None)
    login(admin)
    response = review_and_decide(client, application_id, "selected", cohort_id)
    assert response.status_code == 302
    assert "7 people are enrolled and invited." in page_text(client.get(response.location))

    expected = {email: (EnrolmentStatus.ALTERNATE if alternate else EnrolmentStatus.NOMINATED)
                for _, email, _, _, alternate in TEAM}
    assert enrolments(app, cohort_id) == expected
    # Five new accounts: everyone but Fabrice and Inès (and the admin made above).
    assert counts(app)[0] == users_before + 1 + 5
    with app.app_context():
        people = {user.email: user for user in db.session.scalars(
            select(User).where(User.email.in_(expected)))}
        assert people["fabrice@example.org"].id == fabrice.id
        assert people["fabrice@example.org"].country_code == "BI"
        assert people["ines@example.org"].id == ines.id
        claudine = people["claudine@example.org"]
        assert (claudine.role, claudine.country_code, claudine.language, claudine.name,
                claudine.organisation.name) == (Role.PARTICIPANT, "BI", "fr",
                                                "Claudine Irakoze", "Ministère de la Solidarité")
        assert db.session.get(Cohort, cohort_id).country_codes == ["BI", "TD"]
        nominees = db.session.scalars(select(Nominee).order_by(Nominee.id)).all()
        assert all(n.user_id == people[n.email].id and n.invited_at for n in nominees)
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "application.selected"))
        assert (event.details["team"], event.details["alternates"],
                event.details["accounts_created"]) == (5, 2, 5)

    # Accounts without a password are invited to create it; Fabrice is asked to confirm.
    for email in expected:
        [message] = emails_to(app, email)
        path = LINK.search(message.body).group(1)  # type: ignore[union-attr]
        if email == "fabrice@example.org":
            assert path.startswith("/nominations/")
        else:
            assert path.startswith("/invitations/")
            # New accounts speak the application's language; Inès keeps her own.
            assert message.language == ("en" if email == "ines@example.org" else "fr")
    [told] = emails_to(app, coordinator.email)
    assert told.language == "en" and told.subject == "Application of Burundi: selected"
    assert "The country team joins the cohort “ToT gitega” (March 2, 2030 – March 6, 2030)" \
        in " ".join(told.body.split())

    # The cohort page shows the country team.
    cohort_page = page_text(client.get(f"/cohorts/{cohort_id}"))
    assert "Burundi: 7 people" in cohort_page and "Claudine Irakoze" in cohort_page


def test_a_member_with_an_account_confirms_on_their_nomination_page(app, client, make_user,
                                                                    login):
    application_id, _ = submitted(app, make_user)
    cohort_id = make_cohort(app)
    fabrice = make_user(Role.PARTICIPANT, email="fabrice@example.org", country="BI")
    herve = make_user(Role.PARTICIPANT, email="herve@example.org", country="BI")
    login(make_user(Role.ADMIN, country=None))
    review_and_decide(client, application_id, "selected", cohort_id)
    client.post("/logout", data={"csrf_token": client.token()})
    fabrice_path = LINK.search(emails_to(app, fabrice.email)[0].body).group(1)  # type: ignore[union-attr]
    herve_path = LINK.search(emails_to(app, herve.email)[0].body).group(1)  # type: ignore[union-attr]

    login(herve)
    assert client.get(fabrice_path).status_code == 404  # someone else's nomination
    page = page_text(client.get(herve_path))
    assert "as an alternate member of its country team" in page
    assert client.submit(herve_path, {}).status_code == 302
    client.post("/logout", data={"csrf_token": client.token()})

    login(fabrice)
    assert 'value="I confirm my participation"' in client.get(fabrice_path).get_data(
        as_text=True)
    confirmed = client.submit(fabrice_path, {})
    assert "your participation is confirmed" in page_text(client.get(confirmed.location))
    statuses = enrolments(app, cohort_id)
    assert statuses["fabrice@example.org"] == EnrolmentStatus.CONFIRMED
    # An alternate who confirms stays an alternate (the confirmation is on their nomination).
    assert statuses["herve@example.org"] == EnrolmentStatus.ALTERNATE
    assert statuses["didier@example.org"] == EnrolmentStatus.NOMINATED
    with app.app_context():
        confirmed_at = {email: when for email, when in db.session.execute(
            select(Nominee.email, Nominee.confirmed_at))}
        assert confirmed_at["herve@example.org"] and confirmed_at["fabrice@example.org"]
        assert confirmed_at["didier@example.org"] is None
    # The coordinator sees who confirmed.
    client.post("/logout", data={"csrf_token": client.token()})
    with app.app_context():
        coordinator = db.session.scalar(select(User).where(User.role == Role.COORDINATOR))
        db.session.expunge(coordinator)
    login(coordinator)
    page = page_text(client.get(f"/applications/{application_id}"))
    # The coordinator reads French.
    invited = in_french("Invited on %(date)s, not confirmed yet").split("%(date)s")[0]
    confirmed = in_french("Confirmed on %(date)s").split("%(date)s")[0]
    assert page.count(invited) == 5 and page.count(confirmed) == 2


def test_the_invitation_accepted_signal_confirms_pending_nominations(app, client, make_user,
                                                                     login):
    application_id, _ = submitted(app, make_user)
    cohort_id = make_cohort(app)
    login(make_user(Role.ADMIN, country=None))
    review_and_decide(client, application_id, "selected", cohort_id)
    with app.app_context():
        claudine = db.session.scalar(select(User).where(User.email == "claudine@example.org"))
        invitation_accepted.send(claudine)
        db.session.commit()
    assert enrolments(app, cohort_id)["claudine@example.org"] == EnrolmentStatus.CONFIRMED
    assert enrolments(app, cohort_id)["esther@example.org"] == EnrolmentStatus.NOMINATED


def test_accepting_the_invitation_confirms_the_enrolment(app, client, make_user, login):
    application_id, _ = submitted(app, make_user)
    cohort_id = make_cohort(app)
    login(make_user(Role.ADMIN, country=None))
    review_and_decide(client, application_id, "selected", cohort_id)
    client.post("/logout", data={"csrf_token": client.token()})
    path = LINK.search(emails_to(app, "claudine@example.org")[0].body).group(1)  # type: ignore[union-attr]
    accepted = client.submit(path, {"name": "Claudine Irakoze", "language": "fr",
                                    "password": "umuganda 2030!", "confirm": "umuganda 2030!"})
    assert accepted.status_code == 302
    assert enrolments(app, cohort_id)["claudine@example.org"] == EnrolmentStatus.CONFIRMED


def test_a_refused_selection_writes_nothing_and_says_why(app, client, make_user, login):
    application_id, coordinator = submitted(app, make_user)
    cohort_id = make_cohort(app)
    make_user(Role.FACILITATOR, email="esther@example.org", country=None)
    make_user(Role.PARTICIPANT, email="grace@example.org", country="RW")
    admin = make_user(Role.ADMIN, country=None)
    login(admin)
    client.submit(f"/applications/{application_id}/review", SCORES)
    before = counts(app)
    response = client.submit(f"/applications/{application_id}/decision", {
        "decision": "selected", "cohort": str(cohort_id), "message": "Welcome"})
    assert response.status_code == 409
    text = page_text(response)
    assert "Nobody was enrolled" in text
    assert ("Esther Ndikumana (esther@example.org): this e-mail address belongs to an account "
            "that is not a participant’s.") in text
    assert "Grace Uwimana (grace@example.org): the account with this e-mail address belongs " \
           "to another country." in text
    assert counts(app) == before
    assert load(app, application_id).status == ApplicationStatus.SUBMITTED
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).country_codes == []
        assert db.session.scalar(select(func.count(Notification.id))) == 0
        assert db.session.scalar(select(Nominee.user_id).where(Nominee.user_id.is_not(None))) \
            is None


def test_selecting_asks_for_the_cohort_and_a_message(app, client, make_user, login):
    application_id, _ = submitted(app, make_user)
    login(make_user(Role.ADMIN, country=None))
    client.submit(f"/applications/{application_id}/review", SCORES)
    before = counts(app)
    response = client.submit(f"/applications/{application_id}/decision", {
        "decision": "selected", "cohort": "", "message": ""})
    assert response.status_code == 400
    text = page_text(response)
    assert "Choose the cohort the team joins." in text
    assert "Write a message to the applicant." in text
    assert counts(app) == before and load(app, application_id).status == \
        ApplicationStatus.SUBMITTED


def test_a_decision_is_made_once(app, client, make_user, login):
    application_id, _ = submitted(app, make_user)
    cohort_id = make_cohort(app)
    login(make_user(Role.ADMIN, country=None))
    review_and_decide(client, application_id, "not_selected", None)
    again = client.submit(f"/applications/{application_id}/decision", {
        "decision": "selected", "cohort": str(cohort_id), "message": "Changed our mind"})
    assert again.status_code == 409
    assert "Only a submitted application can be reviewed and decided." in page_text(again)
    assert enrolments(app, cohort_id) == {}
    assert load(app, application_id).status == ApplicationStatus.NOT_SELECTED
    with app.app_context():
        decisions = db.session.scalars(select(ApplicationReview.decision)).all()
    assert decisions == [Decision.NOT_SELECTED]
