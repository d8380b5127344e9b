"""A write is committed but its answer never reaches the client (the connection dropped, the
phone went into a tunnel), so the autosave queue, or the person, sends the same request again
with the same client key: the write is stored once and the retry gets the first answer,
flagged ``replayed``.

One test per keyed write a participant sends: reflection, section progress, action-plan item
(created by its key, then updated), one quiz answer and a quiz page save, the quiz submission
(kept once by the attempt's state rather than a key), and the training report. Runs on SQLite
and on PostgreSQL (``TEST_DATABASE_URL``).
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.assessments.models import Answer, Attempt, AttemptStatus
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.core.models import WriteReceipt
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db
from learning.plans.models import ActionPlanItem
from learning.rollout.models import Training, TrainingOrganisation
from tests.rollout.conftest import complete_report, record_training  # noqa: F401  (fixture)

JSON = {"Accept": "application/json"}
QUIZ = "quiz-module-1"
QUIZ_ANSWERS: dict[str, str | list[str]] = {
    "m1-q01": "b", "m1-q02": "b", "m1-q03": "false", "m1-q04": "b", "m1-q05": "b",
    "m1-q06": ["a", "b", "d"], "m1-q07": ["a", "b", "d"], "m1-q08": "a", "m1-q09": "b",
    "m1-q10": "b", "m1-q11": "false", "m1-q12": "b"}


def sent_twice(client, url: str, **body: Any):  # type: ignore[no-untyped-def]
    """The request, then the same request again: the retry after its answer was lost."""
    headers = {**JSON, "X-CSRFToken": client.token()}
    return client.post(url, headers=headers, **body), client.post(url, headers=headers, **body)


def assert_replayed(first, again) -> None:  # type: ignore[no-untyped-def]
    assert first.status_code == again.status_code == 200, again.get_data(as_text=True)[:300]
    assert "replayed" not in first.json
    # The whole first answer (revision, time saved, ...), not a second one.
    assert again.json == {**first.json, "replayed": True}


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model).where(*where))
                   or 0)


def test_a_reflection_is_saved_once(app, client, login, make_user):
    login(make_user(Role.PARTICIPANT))
    first, again = sent_twice(client, "/learn/reflections/m1-r-timeline", data={
        "text": "I would ask what worried her most.", "base_revision": "0",
        "key": "lost-reflection-1"})
    assert_replayed(first, again)
    with app.app_context():
        rows = db.session.scalars(select(ReflectionAnswer)).all()
        assert [(row.text, row.revision) for row in rows] == [
            ("I would ask what worried her most.", 1)]
    assert count(app, WriteReceipt) == 1


def test_section_progress_is_recorded_once(app, client, login, make_user):
    login(make_user(Role.PARTICIPANT))
    first, again = sent_twice(client, "/learn/sections/m1-introduction/progress",
                              data={"event": "completed", "key": "lost-progress-1"})
    assert_replayed(first, again)
    assert first.json["completed"] is True
    assert count(app, SectionProgress) == 1 and count(app, WriteReceipt) == 1


def test_an_action_plan_item_is_created_and_updated_once(app, client, login, make_user):
    login(make_user(Role.PARTICIPANT))
    created, again = sent_twice(client, "/plan/items", data={
        "unit_id": "module-1-defining-supervision", "key": "lost-item-create-1",
        "function": "supportive", "action": "Monthly group supervision"})
    # The item's own key makes the create idempotent: 201 Created, then 200 with that item.
    assert (created.status_code, again.status_code) == (201, 200)
    assert created.json["created"] is True
    assert again.json == {**created.json, "created": False}
    assert count(app, ActionPlanItem) == 1

    first, again = sent_twice(client, created.json["url"], data={
        "action": "Fortnightly group supervision", "base_revision": "1",
        "key": "lost-item-save-1"})
    assert_replayed(first, again)
    with app.app_context():
        [item] = db.session.scalars(select(ActionPlanItem)).all()
        assert (item.action, item.revision) == ("Fortnightly group supervision", 2)


def _shown(page: str) -> str:
    """The page's record of the answers it showed (a page save changes only the others)."""
    match = re.search(r'name="shown" value="([^"]+)"', page)
    assert match, "no shown field"
    return html.unescape(match.group(1))


def test_quiz_answers_are_saved_and_the_quiz_submitted_once(app, client, login, make_user):
    login(make_user(Role.PARTICIPANT))
    assert client.submit(f"/assessments/{QUIZ}/quiz").status_code == 302
    page = client.get(f"/assessments/{QUIZ}/quiz").get_data(as_text=True)
    match = re.search(r"/assessments/attempts/(\d+)/answers", page)
    assert match, "no attempt on the quiz page"
    attempt_id = int(match.group(1))
    attempt_url = f"/assessments/attempts/{attempt_id}"
    answers = f"{attempt_url}/answers"

    # One answer, as the script saves it when a choice is ticked.
    first, again = sent_twice(client, f"{answers}/m1-q01",
                              json={"value": "b", "key": "lost-answer-1"})
    assert_replayed(first, again)
    assert first.json["revision"] == 1

    # The whole page, as the script (or the Save button) sends it.
    shown = _shown(client.get(f"/assessments/{QUIZ}/quiz").get_data(as_text=True))
    first, again = sent_twice(client, answers, data={
        "key": "lost-page-save-1", "shown": shown, "q-m1-q01": "b", "q-m1-q02": "b"})
    assert_replayed(first, again)
    assert first.json["saved"] == ["m1-q02"]
    with app.app_context():
        rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id)).all()
        assert sorted((row.question_id, row.revision) for row in rows) == [
            ("m1-q01", 1), ("m1-q02", 1)]
    assert count(app, WriteReceipt) == 2

    # Submitting has no key: the attempt's state keeps it once. The resent submission goes
    # to the same result and neither marks nor scores anything again.
    shown = _shown(client.get(f"/assessments/{QUIZ}/quiz").get_data(as_text=True))
    form = {"csrf_token": client.token(), "shown": shown,
            **{f"q-{question}": value for question, value in QUIZ_ANSWERS.items()}}
    submitted = client.post(f"{attempt_url}/submit", data=form)
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt is not None
        first_state = (attempt.status, attempt.score, attempt.submitted_at)
    resent = client.post(f"{attempt_url}/submit", data=form)
    assert submitted.status_code == resent.status_code == 302
    assert submitted.headers["Location"] == resent.headers["Location"] == attempt_url
    with app.app_context():
        [attempt] = db.session.scalars(select(Attempt)).all()
        assert (attempt.status, attempt.score, attempt.submitted_at) == first_state
        assert attempt.status == AttemptStatus.SUBMITTED and attempt.percent == 100
    assert count(app, Answer, Answer.attempt_id == attempt_id) == len(QUIZ_ANSWERS)


def test_a_training_report_save_is_applied_once(app, client, login, make_user,
                                                record_training):  # noqa: F811
    trainer = make_user(Role.PARTICIPANT)
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), countries=[CohortCountry(country_code="BI")])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=trainer.id,
                                 status=EnrolmentStatus.CONFIRMED))
        db.session.commit()
        cohort_id = cohort.id
    training_id, _report = record_training(trainer, cohort_id)
    login(trainer)
    # Without its receipt the retry would be refused as made from an older version (409).
    first, again = sent_twice(client, f"/trainings/{training_id}/edit", data=complete_report(
        base_revision="1", key="lost-report-save-1"))
    assert_replayed(first, again)
    assert first.json["version"] == 2
    with app.app_context():
        training = db.session.get(Training, training_id)
        assert training is not None
        assert (training.version, training.challenges) == (2, "Two participants left on day two.")
    assert count(app, TrainingOrganisation) == 3
