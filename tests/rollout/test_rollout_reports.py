"""A training report from the trainer's first note to the focal point's approval: submitted,
returned with comments, revised, resubmitted, approved, with the whole thread kept and
everyone told in their own language; and who may see, review or change it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from learning.accounts.models import User
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from learning.rollout.models import (
    ReportEvent,
    ReportStatus,
    Training,
    TrainingReport,
)
from tests.conftest import in_french
from tests.rollout.conftest import complete_report, hidden, page


def _logout(client) -> None:  # type: ignore[no-untyped-def]
    client.post("/logout", data={"csrf_token": client.token()})


def _new_training(client, cohort_id: int, times: int = 1) -> int:  # type: ignore[no-untyped-def]
    """Record a training; ``times`` sends the same form again (a double click)."""
    form = page(client.get(f"/cohorts/{cohort_id}/trainings/new"))
    data = {"csrf_token": client.last_token, "key": hidden(form, "key"),
            "start_date": "2030-05-05", "end_date": "2030-05-07", "region_city": "Gitega"}
    locations = set()
    for _ in range(times):
        response = client.post(f"/cohorts/{cohort_id}/trainings/new", data=data)
        assert response.status_code == 302
        locations.add(response.headers["Location"])
    [location] = locations
    return int(location.split("/")[-2])


def _save(client, training_id: int, data: dict, **extra: str):  # type: ignore[no-untyped-def]
    form = page(client.get(f"/trainings/{training_id}/edit"))
    return client.post(f"/trainings/{training_id}/edit", data={
        "csrf_token": client.last_token, "base_revision": hidden(form, "base_revision"),
        **data, **extra})


def _review(client, report_id: int, decision: str, comments: str = ""):  # type: ignore[no-untyped-def]
    form = page(client.get(f"/reports/{report_id}"))
    data = {"csrf_token": client.last_token, "key": hidden(form, "key"),
            "decision": decision, "comments": comments}
    return client.post(f"/reports/{report_id}/review", data=data), data


def _report(app, training_id: int) -> TrainingReport:  # type: ignore[no-untyped-def]
    with app.app_context():
        report = db.session.scalar(select(TrainingReport)
                                   .where(TrainingReport.training_id == training_id))
        db.session.expunge(report)
        return report


def _thread(app, report_id: int) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(
            select(ReportEvent.action, User.name, ReportEvent.text)
            .join(User, User.id == ReportEvent.author_id)
            .where(ReportEvent.report_id == report_id).order_by(ReportEvent.id))
        return [(action.value, name, text) for action, name, text in rows]


def test_the_report_goes_back_and_forth_and_the_thread_is_kept(app, client, world, login):
    people = world.people
    login(people["trainer"])
    training_id = _new_training(client, world.cohort_id, times=2)
    with app.app_context():  # the form sent twice recorded one training, as a draft
        assert db.session.scalars(select(Training.region_city)).all() == ["Gitega"]
        assert db.session.get(Training, training_id).days == 3
    assert _report(app, training_id).status == ReportStatus.DRAFT
    response = _save(client, training_id, complete_report(
        draft_note="Here is our first training."), submit_report="1")
    assert response.status_code == 302
    report = _report(app, training_id)
    assert response.headers["Location"].endswith(f"/reports/{report.id}")
    assert report.status == ReportStatus.SUBMITTED and report.draft_note == ""
    # Under review, the trainer cannot change it.
    locked = client.get(f"/trainings/{training_id}/edit")
    assert locked.status_code == 302
    assert in_french("This report is with the focal point for review: it can be changed again "
                     "if it is returned to you.") in page(client.get(locked.headers["Location"]))
    _logout(client)

    login(people["focal_point"])
    queue = page(client.get("/reviews"))
    assert "Aline Ndayishimiye" in queue and "Submitted for review" in queue
    assert "Here is our first training." in page(client.get(f"/reports/{report.id}"))
    response, _sent = _review(client, report.id, "return",
                              "Please add the evaluation results per module.")
    assert response.status_code == 302
    assert _report(app, training_id).status == ReportStatus.RETURNED
    assert "No report is waiting for a decision." in page(client.get("/reviews"))
    _logout(client)

    login(people["trainer"])
    edit = page(client.get(f"/trainings/{training_id}/edit"))
    assert "Please add the evaluation results per module." in edit
    assert in_french("Save and resubmit for review") in edit
    response = _save(client, training_id, complete_report(
        evaluation_highlights="Module 2 scored best; module 4 needs more time.",
        draft_note="Evaluation per module added."), submit_report="1")
    assert response.status_code == 302
    assert _report(app, training_id).status == ReportStatus.RESUBMITTED
    _logout(client)

    login(people["focal_point"])
    assert "Resubmitted for review" in page(client.get("/reviews"))
    response, _sent = _review(client, report.id, "approve", "Thank you, well documented.")
    assert response.status_code == 302
    assert _report(app, training_id).status == ReportStatus.APPROVED

    assert _thread(app, report.id) == [
        ("submitted", "Aline Ndayishimiye", "Here is our first training."),
        ("returned", "Fatou Focal", "Please add the evaluation results per module."),
        ("resubmitted", "Aline Ndayishimiye", "Evaluation per module added."),
        ("approved", "Fatou Focal", "Thank you, well documented."),
    ]
    shown = page(client.get(f"/reports/{report.id}"))
    for text in ("Here is our first training.", "Please add the evaluation results per module.",
                 "Evaluation per module added.", "Thank you, well documented.",
                 "Module 2 scored best; module 4 needs more time."):
        assert text in shown
    assert shown.index("Here is our first training.") < shown.index("Thank you, well documented.")
    assert "Your review" not in shown  # decided: nothing more to decide
    _logout(client)

    login(people["trainer"])
    with app.app_context():
        version = db.session.get(Training, training_id).version
    after = client.post(f"/trainings/{training_id}/edit", data={
        "csrf_token": client.token(), "base_revision": str(version),
        **complete_report(region_city="Ngozi")})
    assert after.status_code == 302 and after.headers["Location"].endswith(
        f"/reports/{report.id}")
    with app.app_context():
        assert db.session.get(Training, training_id).region_city == "Gitega"


def test_the_stored_report_is_what_the_trainer_typed(app, client, world, login):
    login(world.people["trainer"])
    training_id = _new_training(client, world.cohort_id)
    teammate = world.people["teammate"]
    _save(client, training_id, complete_report(co_trainers=[str(teammate.id)]))
    with app.app_context():
        training = db.session.get(Training, training_id)
        assert (training.days, training.language, training.delivery_mode.value,
                training.modules) == (3, "rn", "in_person", [1, 2, 3, 4])
        assert (training.participants_total, training.gender_total) == (18, 18)
        assert [(o.name, o.type.value) for o in training.organisations] == [
            ("Save the Children", "international_ngo"), ("FVS-Amade", "national_ngo"),
            ("Ministère de la Solidarité", "government")]
        assert str(training.pre_test_average) == "52.50"
        assert training.co_trainer_ids == [teammate.id]
        assert training.other_co_trainer_names == ["Dr Nadia Ruvakubusa"]
    # The co-trainer from the team reads the report, but may not change it.
    _logout(client)
    login(teammate)
    report_id = _report(app, training_id).id
    assert "Save the Children" in page(client.get(f"/reports/{report_id}"))
    assert client.get(f"/trainings/{training_id}/edit").status_code == 404


def test_submission_says_what_is_missing_and_keeps_the_text(app, client, world, login):
    login(world.people["trainer"])
    training_id = _new_training(client, world.cohort_id)
    response = _save(client, training_id, complete_report(
        female_count="3", language="", challenges="Rain on the second day."),
        submit_report="1")
    assert response.status_code == 200
    text = page(response)
    assert in_french("Your changes are saved, but the report cannot be submitted yet:") in text
    assert in_french("Choose the language of the training.") in text
    assert in_french("The participants by organisation type and by gender must add up to the "
                     "same total.") in text
    report = _report(app, training_id)
    assert report.status == ReportStatus.DRAFT
    with app.app_context():
        assert db.session.get(Training, training_id).challenges == "Rain on the second day."
        assert db.session.scalar(select(ReportEvent.id)) is None


def test_an_organisation_needs_its_type(app, client, world, login):
    login(world.people["trainer"])
    training_id = _new_training(client, world.cohort_id)
    response = _save(client, training_id, complete_report(**{"organisations-1-type": ""}))
    assert response.status_code == 400  # refused, shown again
    shown = page(response)
    assert in_french("Choose the type of this organisation.") in shown
    assert 'href="#organisations-1-type"' in shown
    with app.app_context():
        assert db.session.get(Training, training_id).organisations == []


def test_focal_points_see_and_review_only_their_countries(app, client, world, login,
                                                          record_training):
    people = world.people
    training_id, report_id = record_training(people["trainer"], world.cohort_id,
                                             status=ReportStatus.SUBMITTED,
                                             counts={"national_ngo_count": 5,
                                                     "female_count": 5},
                                             organisations=("AVSI",))
    congo_id, congo_report = record_training(people["congo_trainer"], world.cohort_id,
                                             status=ReportStatus.SUBMITTED,
                                             counts={"national_ngo_count": 7,
                                                     "female_count": 7},
                                             organisations=("Caritas Goma",))
    cohort = world.cohort_id
    bi_pages = [f"/reports/{report_id}", f"/trainings/{training_id}/edit",
                f"/trainings/{training_id}/scores",
                f"/cohorts/{cohort}/countries/BI/follow-up", f"/cohorts/{cohort}/countries/BI/team"]

    login(people["other_focal_point"])  # supports DR Congo only: guesses Burundi's ids
    for url in bi_pages:
        assert client.get(url).status_code == 404, url
    token = client.token()
    assert client.post(f"/reports/{report_id}/review", data={
        "csrf_token": token, "key": "guessed-key-1", "decision": "approve"}).status_code == 404
    assert client.post(f"/cohorts/{cohort}/countries/BI/follow-up", data={
        "csrf_token": token, "key": "guessed-key-2", "contact_date": "2030-06-01",
        "mode": "call", "attendees": "Me"}).status_code == 404
    assert _report(app, training_id).status == ReportStatus.SUBMITTED
    queue = page(client.get("/reviews"))
    assert "Marie Kabila" in queue and "Aline Ndayishimiye" not in queue
    assert client.get(f"/reports/{congo_report}").status_code == 200
    _logout(client)

    # People outside the report's scope do not find it either.
    for name in ("other_coordinator", "other_facilitator", "outsider", "teammate"):
        login(people[name])
        assert client.get(f"/reports/{report_id}").status_code == 404, name
        _logout(client)

    # Readers: the country's coordinator, the cohort's facilitator, admins. They do not decide.
    for name in ("coordinator", "facilitator", "admin"):
        login(people[name])
        shown = page(client.get(f"/reports/{report_id}"))
        assert "AVSI" in shown and "Your review" not in shown, name
        assert client.get(f"/reports/{congo_report}").status_code == (
            404 if name == "coordinator" else 200), name
        assert client.post(f"/reports/{report_id}/review", data={
            "csrf_token": client.token(), "key": "reader-key-01",
            "decision": "approve"}).status_code == 403, name
        _logout(client)

    login(people["focal_point"])
    assert "Your review" in page(client.get(f"/reports/{report_id}"))
    response, _sent = _review(client, report_id, "approve")
    assert response.status_code == 302
    assert _report(app, training_id).status == ReportStatus.APPROVED
    assert _report(app, congo_id).status == ReportStatus.SUBMITTED


def test_returning_a_report_needs_comments(app, client, world, login, record_training):
    training_id, report_id = record_training(world.people["trainer"], world.cohort_id,
                                             status=ReportStatus.SUBMITTED)
    login(world.people["focal_point"])
    response, _sent = _review(client, report_id, "return", "   ")
    assert response.status_code == 200
    assert "Say what the trainer should complete or change." in page(response)
    assert _report(app, training_id).status == ReportStatus.SUBMITTED


def test_the_queue_shows_age_and_status_oldest_first(app, client, world, login,
                                                    record_training):
    people = world.people
    now = datetime.now(UTC)
    for days, place, status in ((2, "Ngozi", ReportStatus.RESUBMITTED),
                                (9, "Gitega", ReportStatus.SUBMITTED),
                                (0, "Bururi", ReportStatus.SUBMITTED),
                                (30, "Muyinga", ReportStatus.DRAFT),
                                (40, "Rutana", ReportStatus.APPROVED)):
        record_training(people["trainer"], world.cohort_id, status=status, region_city=place,
                        submitted_at=now - timedelta(days=days))
    login(people["focal_point"])
    queue = page(client.get("/reviews"))
    rows = [row for row in queue.split("<tr>")[2:]]
    assert [next(p for p in ("Gitega", "Ngozi", "Bururi") if p in row) for row in rows] == [
        "Gitega", "Ngozi", "Bururi"]
    assert "9 days" in rows[0] and "Submitted for review" in rows[0]
    assert "2 days" in rows[1] and "Resubmitted for review" in rows[1]
    assert "0 days" in rows[2]
    assert "Muyinga" not in queue and "Rutana" not in queue


def test_everyone_is_told_in_their_own_language(app, client, world, login, record_training):
    people = world.people  # the trainer reads French; Burundi's focal point English
    training_id, report_id = record_training(people["trainer"], world.cohort_id,
                                             counts={"national_ngo_count": 5,
                                                     "female_count": 5},
                                             organisations=("AVSI",))
    login(people["trainer"])
    _save(client, training_id, complete_report(draft_note="Merci de relire."),
          submit_report="1")
    _logout(client)
    login(people["focal_point"])
    _review(client, report_id, "return", "Add the dates of the follow-up calls.")

    with app.app_context():
        emails = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
        assert [(e.recipient, e.language) for e in emails] == [
            (people["focal_point"].email, "en"), (people["trainer"].email, "fr")]
        to_focal, to_trainer = emails
        assert to_focal.subject == ("Aline Ndayishimiye submitted a training report for your "
                                    "review")
        assert to_focal.body.startswith("Hello Fatou Focal,")
        assert "Merci de relire." in to_focal.body
        assert f"/reports/{report_id}" in to_focal.body
        assert to_trainer.body.startswith("Bonjour Aline Ndayishimiye,")
        assert "Add the dates of the follow-up calls." in to_trainer.body
        # Nobody else is told: not the other country's focal point.
        notified = set(db.session.scalars(select(Notification.user_id)))
        assert notified == {people["focal_point"].id, people["trainer"].id}
