"""A person downloads their data and asks for deletion; an admin completes it."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.audit.models import AuditEvent
from learning.certificates import services as certificates
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db
from learning.privacy import services
from learning.privacy.models import DeletionRequest, DeletionStatus
from tests.conftest import PASSWORD, in_french, sign_in

REFLECTION = "m1-r-timeline"


def _with_learning(app, user: User) -> int:
    """Enrol the person, record some progress and a reflection; returns the cohort id."""
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), countries=[CohortCountry(country_code="BI")])
        db.session.add(cohort)
        db.session.flush()
        db.session.add_all([
            Enrolment(cohort_id=cohort.id, user_id=user.id, status=EnrolmentStatus.CONFIRMED),
            SectionProgress(user_id=user.id, unit_id="module-1-defining-supervision",
                            section_id="m1-introduction",
                            opened_at=datetime(2030, 3, 2, tzinfo=UTC),
                            completed_at=datetime(2030, 3, 2, tzinfo=UTC)),
            ReflectionAnswer(user_id=user.id, section_id="m1-introduction",
                             reflection_id=REFLECTION, revision=1,
                             text="Ma superviseure m'a appris à écouter — Zoë"),
        ])
        db.session.commit()
        return cohort.id


def test_my_data_page_and_download_hold_what_i_wrote_and_no_secret(app, client, make_user):
    person = make_user(Role.PARTICIPANT, name="Zoë Ngoné")
    _with_learning(app, person)
    sign_in(client, person)
    page = client.get("/account/data").get_data(as_text=True)
    assert "Ma superviseure m&#39;a appris à écouter — Zoë" in page
    assert "Your reflections" in page
    response = client.get("/account/data.json")
    assert response.headers["Content-Disposition"].startswith("attachment")
    document = json.loads(response.data)
    assert document["data"]["users"][0]["name"] == "Zoë Ngoné"
    assert document["data"]["reflection_answers"][0]["text"].endswith("— Zoë")
    assert document["data"]["enrolments"][0]["status"] == "confirmed"
    assert "password_hash" not in response.get_data(as_text=True)
    assert "argon2" not in response.get_data(as_text=True)


def test_my_data_page_reads_french(client, make_user):
    sign_in(client, make_user(Role.PARTICIPANT, language="fr"))
    page = client.get("/account/data").get_data(as_text=True)
    assert in_french("My data") in page
    assert in_french("Your account") in page


def test_deletion_needs_confirmation_then_waits_for_an_admin(app, client, make_user):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.PARTICIPANT)
    sign_in(client, person)
    refused = client.submit("/account/data/deletion", {"reason": "Leaving the programme"})
    assert refused.status_code == 400
    assert "Tick the box to confirm." in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 0
    sent = client.submit("/account/data/deletion", {"reason": "Leaving", "confirm": "y"})
    assert sent.status_code == 302
    again = client.submit("/account/data/deletion", {"confirm": "y"})  # a double submit
    assert again.status_code == 302
    with app.app_context():
        requests = db.session.scalars(select(DeletionRequest)).all()
        assert [(r.user_id, r.status) for r in requests] == [
            (person.id, DeletionStatus.REQUESTED)]
        assert db.session.get(User, admin.id).unread_notifications == 1


def test_completed_deletion_removes_personal_data_and_keeps_the_counts(app, client, make_user):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.PARTICIPANT, name="Zoë Ngoné", email="zoe@example.org")
    cohort_id = _with_learning(app, person)
    with app.app_context():
        # A failed sign-in names the address in the audit log.
        db.session.add(AuditEvent(action="login.failed", actor_id=person.id,
                                  target_type="user", target_id=str(person.id),
                                  details={"email": "zoe@example.org"}))
        certificate = certificates.issue_manually(
            db.session.get(User, admin.id), db.session.get(User, person.id),
            db.session.get(Cohort, cohort_id), "Completed the programme")
        code = certificate.code
        services.request_deletion(db.session.get(User, person.id), "")
        db.session.commit()
        request_id = db.session.scalar(select(DeletionRequest.id))
    assert "Zoë Ngoné" in app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    sign_in(client, admin)
    queue = client.get("/admin/deletion-requests").get_data(as_text=True)
    assert "Zoë Ngoné" in queue
    done = client.submit(f"/admin/deletion-requests/{request_id}", {"confirm": "y"})
    assert done.status_code == 302
    with app.app_context():
        emptied = db.session.get(User, person.id)
        assert emptied.name == "" and "zoe" not in emptied.email
        assert emptied.password_hash is None and not emptied.is_active
        assert emptied.deleted_at is not None
        assert db.session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 0
        # Aggregates keep counting the person: enrolment and progress stay, nameless.
        assert db.session.scalar(select(func.count()).select_from(Enrolment).where(
            Enrolment.cohort_id == cohort_id)) == 1
        assert db.session.scalar(select(func.count()).select_from(SectionProgress)) == 1
        details = [event.details for event in db.session.scalars(select(AuditEvent))]
        assert not any("zoe@example.org" in json.dumps(d) for d in details)
    other = app.test_client()
    assert sign_in(other, User(email="zoe@example.org"), PASSWORD).status_code == 200
    # The certificate still verifies, without the name.
    verified = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "deleted at their request" in html.unescape(verified)
    assert "Zoë" not in verified and "Ngoné" not in verified
    assert app.test_client().get(f"/certificates/{code}/credential.json").status_code == 404


def test_the_last_admin_cannot_be_deleted(app, client, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        services.request_deletion(db.session.get(User, admin.id), "")
        db.session.commit()
        request_id = db.session.scalar(select(DeletionRequest.id))
    sign_in(client, admin)
    response = client.submit(f"/admin/deletion-requests/{request_id}", {"confirm": "y"})
    assert response.status_code == 302
    follow = client.get("/admin/deletion-requests").get_data(as_text=True)
    assert "This is the last active administrator" in follow
    with app.app_context():
        assert db.session.get(User, admin.id).is_active


def test_audit_events_older_than_the_retention_period_are_purged(app):
    with app.app_context():
        app.config["AUDIT_RETENTION_DAYS"] = 30
        now = datetime(2030, 6, 1, tzinfo=UTC)
        db.session.add_all([
            AuditEvent(action="old", at=now - timedelta(days=31), details={}),
            AuditEvent(action="recent", at=now - timedelta(days=29), details={})])
        db.session.commit()
        assert services.purge_audit_log(now) == 1
        db.session.commit()
        assert [e.action for e in db.session.scalars(select(AuditEvent))] == ["recent"]
