"""Submitting: once only (double click, two tabs, two requests at the same moment), the
time limit finishing an attempt from its saved answers, and quiz retakes keeping the best."""

from __future__ import annotations

import html
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from learning.accounts.models import Role
from learning.assessments.models import Answer, Attempt, AttemptStatus
from learning.content.schema import Question
from learning.courses.catalogue import get_catalogue
from learning.db import db, utcnow
from tests.assessments import attempts_support as support
from tests.conftest import BrowserLikeClient, sign_in


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app


def _submit(client: BrowserLikeClient, attempt_id: int, answers: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The page's Submit button: every field of the page, with the answers given."""
    data = {"csrf_token": client.token(), "key": f"submit-page-{attempt_id}", "shown": "{}",
            **{f"q-{question_id}": value for question_id, value in answers.items()}}
    return client.post(f"/assessments/attempts/{attempt_id}/submit", data=data)


def _expire(app: Flask, attempt_id: int) -> None:
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                           .values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()


def test_double_submit_gives_one_result(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    first = _submit(client, attempt_id, {"tk-1": "a", "tk-2": ["a"], "tk-3": "true"})
    second = _submit(client, attempt_id, {"tk-1": "b", "tk-2": ["b"], "tk-3": "false"})
    assert first.headers["Location"] == second.headers["Location"]
    (attempt,) = support.attempts(app)
    assert (attempt.status, attempt.score, attempt.number) == (AttemptStatus.SUBMITTED, 2.5, 1)
    assert support.answers(app, attempt_id) == {"tk-1": "a", "tk-2": ["a"], "tk-3": True}
    # The other tab, still on the questions, is told its answers are no longer taken.
    late = support.save_json(client, attempt_id, "tk-1", "c", "late-tab-save")
    assert late.status_code == 409 and late.json["ok"] is False
    assert support.answers(app, attempt_id)["tk-1"] == "a"
    # And starting again opens nothing new: the pre-test is done.
    page = html.unescape(client.get("/assessments/test-knowledge/pre").get_data(as_text=True))
    assert "You have already taken it." in page
    assert client.submit("/assessments/test-knowledge/pre").status_code == 302
    assert len(support.attempts(app)) == 1


def test_two_submits_at_the_same_moment_score_once(app, make_user):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    tabs: list[BrowserLikeClient] = [app.test_client() for _ in range(2)]  # type: ignore[misc]
    for tab in tabs:
        sign_in(tab, person)
    attempt_id = support.start(tabs[0], "test-knowledge", "pre")
    tokens = [tab.token() for tab in tabs]
    barrier = threading.Barrier(2)
    responses: list[Any] = [None, None]

    def press_submit(index: int, choice: str) -> None:
        barrier.wait()
        responses[index] = tabs[index].post(
            f"/assessments/attempts/{attempt_id}/submit",
            data={"csrf_token": tokens[index], "shown": "{}", "q-tk-1": choice,
                  "q-tk-2": "a", "q-tk-3": "true"})

    threads = [threading.Thread(target=press_submit, args=(i, c)) for i, c in [(0, "a"), (1, "b")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in responses] == [302, 302]
    assert {r.headers["Location"] for r in responses} == {f"/assessments/attempts/{attempt_id}"}
    (attempt,) = support.attempts(app)
    assert attempt.status == AttemptStatus.SUBMITTED
    # One submission won and scored its own answers; the other wrote nothing.
    answers = support.answers(app, attempt_id)
    assert answers["tk-1"] in ("a", "b")
    assert attempt.score == (2.5 if answers["tk-1"] == "a" else 1.5)
    assert len(support.rows(app, Answer)) == 3


def test_time_up_refuses_the_answer_and_scores_the_saved_ones(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    (attempt,) = support.attempts(app)
    assert attempt.expires_at - attempt.started_at == timedelta(minutes=20)
    support.save_json(client, attempt_id, "tk-1", "a", "before-the-end")
    support.save_json(client, attempt_id, "tk-3", True, "before-end-2")
    receipts = support.receipts(app)
    _expire(app, attempt_id)

    late = support.save_json(client, attempt_id, "tk-2", ["a", "c"], "after-the-end")
    assert late.status_code == 409
    assert support.answers(app, attempt_id) == {"tk-1": "a", "tk-3": True}
    assert support.receipts(app) == receipts
    (attempt,) = support.attempts(app)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert (attempt.score, attempt.max_score) == (2.0, 3.0)  # not zero: the saved answers count
    page = html.unescape(client.get(late.json["result"]).get_data(as_text=True))
    assert "2 / 3 (67%)" in page


def test_an_attempt_left_open_past_its_time_is_finished_on_return(app, client, make_user,
                                                                   login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    support.save_json(client, attempt_id, "tk-1", "a", "saved-in-time")
    _expire(app, attempt_id)
    page = html.unescape(client.get("/assessments/test-knowledge/pre").get_data(as_text=True))
    assert "The time for this attempt is up." in page
    assert 'name="q-tk-1"' not in page  # no more questions to answer
    # The page's button submits; posted answers are ignored once the time is up.
    finished = _submit(client, attempt_id, {"tk-2": ["a", "c"]})
    assert finished.headers["Location"].endswith(f"/assessments/attempts/{attempt_id}")
    (attempt,) = support.attempts(app)
    assert (attempt.status, attempt.score) == (AttemptStatus.SUBMITTED, 1.0)
    assert support.answers(app, attempt_id) == {"tk-1": "a"}


def test_the_periodic_job_finishes_attempts_nobody_came_back_to(app, client, runner, make_user,
                                                                login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    support.save_json(client, attempt_id, "tk-3", True, "saved-in-time")
    support.start(client, "test-confidence", "pre")  # no time limit: stays open
    _expire(app, attempt_id)
    first_run = runner.invoke(args=["assessments", "finish-expired"])
    assert first_run.exit_code == 0 and "Finished 1 attempt(s)" in first_run.output
    assert "Finished 0 attempt(s)" in runner.invoke(args=["assessments", "finish-expired"]).output
    knowledge, confidence = support.attempts(app)
    assert (knowledge.status, knowledge.score) == (AttemptStatus.SUBMITTED, 1.0)
    assert confidence.status == AttemptStatus.OPEN


def _answers_for_quiz(questions: tuple[Question, ...], *, right: bool) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in questions:
        if question.type == "true_false":
            answers[question.id] = str(question.answer == right).lower()
        elif question.type == "single_choice":
            answers[question.id] = question.answer if right else next(
                o.id for o in question.options if o.id != question.answer)
        else:
            answers[question.id] = list(question.answer) if right else [
                o.id for o in question.options if o.id not in question.answer]
    return answers


def test_quiz_retakes_keep_the_best_score(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))
    with app.app_context():
        quiz = get_catalogue().quiz("quiz-module-1")
        assert quiz is not None and quiz.pass_mark == 70
        questions = quiz.questions
    first = support.start(client, "quiz-module-1", "quiz")
    _submit(client, first, _answers_for_quiz(questions, right=True))
    second = support.start(client, "quiz-module-1", "quiz")
    assert second != first
    _submit(client, second, _answers_for_quiz(questions, right=False))

    one, two = support.attempts(app)
    assert (one.number, one.percent, one.passed) == (1, 100.0, True)
    assert (two.number, two.percent, two.passed) == (2, 0.0, False)
    result = html.unescape(client.get(f"/assessments/attempts/{second}").get_data(as_text=True))
    assert f"0 / {len(questions)} (0%)" in result
    assert "Not passed yet" in result
    assert "100% (2 attempts)" in result  # the best score stays
    assert "Your answer: incorrect" in result and "Correct answer" in result
    explanation = questions[0].options[0].explanation
    assert explanation is not None and explanation.en in result
    listing = html.unescape(client.get("/assessments").get_data(as_text=True))
    assert "Best score: 100%" in listing
