"""Tampered submissions are refused with a 4xx and store nothing: another person's attempt,
an option of another question, a rating off the scale, a rank given twice, a late answer."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from learning.accounts.models import Role
from learning.assessments.models import Attempt, AttemptStatus
from learning.db import db, utcnow
from tests.assessments import attempts_support as support


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app


@pytest.fixture
def participant(app: Flask, make_user, login):  # type: ignore[no-untyped-def]
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    return person


def _page_post(client: Any, url: str, fields: dict[str, Any]):  # type: ignore[no-untyped-def]
    data = {"csrf_token": client.token(), "key": "tampered-page-1", "shown": "{}", **fields}
    return client.post(url, data=data)


def _nothing_stored(app: Flask, attempt_id: int, receipts: int) -> None:
    assert support.answers(app, attempt_id) == {}
    assert support.receipts(app) == receipts


def test_another_persons_attempt_is_not_found(app, client, make_user, login):
    owner = make_user(Role.PARTICIPANT)
    support.enrol(app, owner)
    login(owner)
    attempt_id = support.start(client, "test-knowledge", "pre")
    client.post("/logout", data={"csrf_token": client.token()})
    login(make_user(Role.PARTICIPANT))
    receipts = support.receipts(app)

    base = f"/assessments/attempts/{attempt_id}"
    assert support.save_json(client, attempt_id, "tk-1", "a", "not-my-attempt").status_code == 404
    assert _page_post(client, f"{base}/answers", {"q-tk-1": "a"}).status_code == 404
    assert _page_post(client, f"{base}/submit", {"q-tk-1": "a"}).status_code == 404
    assert client.get(base).status_code == 404
    _nothing_stored(app, attempt_id, receipts)
    assert support.attempts(app)[0].status == AttemptStatus.OPEN


@pytest.mark.parametrize(("bank_id", "purpose", "question_id", "value", "posted"), [
    # tk-1 has options a–c; "d" is an option of tk-2.
    ("test-knowledge", "pre", "tk-1", "d", {"q-tk-1": "d"}),
    ("test-knowledge", "pre", "tk-2", ["a", "d", "z"], {"q-tk-2": ["a", "z"]}),
    ("test-confidence", "pre", "tc-1", 6, {"q-tc-1": "6"}),
    ("test-confidence", "pre", "tc-1", 0, {"q-tc-1": "0"}),
    ("test-survey", "once", "sv-rank", ["a", "a", "b"],
     {"q-sv-rank.a": "1", "q-sv-rank.b": "1", "q-sv-rank.c": "2"}),
    ("test-survey", "once", "sv-matrix", {"s9": "strongly_agree"},
     {"q-sv-matrix.s1": "very_much"}),
])
def test_values_that_do_not_fit_the_question_are_refused(app, client, participant, bank_id,
                                                         purpose, question_id, value, posted):
    attempt_id = support.start(client, bank_id, purpose)
    receipts = support.receipts(app)
    single = support.save_json(client, attempt_id, question_id, value, "tampered-json-1")
    assert single.status_code == 400 and single.json["ok"] is False
    assert question_id in single.json["errors"]
    page = _page_post(client, f"/assessments/attempts/{attempt_id}/answers", posted)
    assert page.status_code == 400
    submit = _page_post(client, f"/assessments/attempts/{attempt_id}/submit", posted)
    assert submit.status_code == 400
    _nothing_stored(app, attempt_id, receipts)
    assert support.attempts(app)[0].status == AttemptStatus.OPEN


def test_one_refused_value_saves_none_of_the_page(app, client, participant):
    attempt_id = support.start(client, "test-confidence", "pre")
    receipts = support.receipts(app)
    response = client.post(f"/assessments/attempts/{attempt_id}/answers",
                           data={"csrf_token": client.token(), "key": "page-save-0001",
                                 "shown": "{}", "q-tc-1": "4", "q-tc-2": "9"},
                           headers=support.JSON)
    assert response.status_code == 400
    assert list(response.json["errors"]) == ["tc-2"]
    assert response.json["error"] == ("Not saved: question 2 — This value is outside the "
                                      "question's scale.")
    _nothing_stored(app, attempt_id, receipts)


def test_an_answer_after_the_time_limit_is_refused(app, client, participant):
    attempt_id = support.start(client, "test-knowledge", "pre")
    with app.app_context():
        db.session.execute(update(Attempt).where(Attempt.id == attempt_id)
                           .values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    receipts = support.receipts(app)
    assert support.save_json(client, attempt_id, "tk-1", "a", "too-late-json").status_code == 409
    assert _page_post(client, f"/assessments/attempts/{attempt_id}/answers",
                      {"q-tk-1": "a"}).status_code == 409
    _nothing_stored(app, attempt_id, receipts)


def test_a_question_of_another_bank_is_not_found(app, client, participant):
    attempt_id = support.start(client, "test-knowledge", "pre")
    receipts = support.receipts(app)
    # tk-4 belongs to the post-test form only; tc-1 to another bank.
    for question_id, value in (("tk-4", "b"), ("tc-1", 3)):
        response = support.save_json(client, attempt_id, question_id, value, f"other-{question_id}")
        assert response.status_code == 404
    _nothing_stored(app, attempt_id, receipts)
