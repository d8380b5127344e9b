"""What a participant sees after submitting, checked against hand-worked answers: the
learning-style profile, confidence medians before and after, the pre/post comparison, and
an anonymous survey that keeps nothing linking the answers to the person."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from learning.accounts.models import Role
from learning.assessments import scoring
from learning.assessments.models import AnonymousAnswer, AnonymousResponse, Answer, AttemptStatus
from learning.courses import steps
from learning.courses.catalogue import get_catalogue
from tests.assessments import attempts_support as support


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app


def _take(client: Any, bank_id: str, purpose: str, answers: dict[str, Any]) -> str:
    """Start, submit with these answers, and return the result page's text."""
    attempt_id = support.start(client, bank_id, purpose)
    data = {"csrf_token": client.token(), "shown": "{}",
            **{f"q-{question_id}": value for question_id, value in answers.items()}}
    response = client.post(f"/assessments/attempts/{attempt_id}/submit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return support.page_text(client.get(response.headers["Location"]))


STYLE_ANSWERS = {
    "ls-1": "strongly_agree", "ls-2": "somewhat_agree",  # activist 3 + 2
    "ls-3": "somewhat_disagree", "ls-4": "strongly_disagree",  # reflector 1 + 0
    "ls-5": "strongly_agree", "ls-6": "strongly_agree",  # theorist 3 + 3
    "ls-7": "somewhat_agree",  # pragmatist 2, ls-8 left out
}


def test_learning_style_profile_from_hand_worked_answers(app):
    with app.app_context():
        bank = get_catalogue().quiz("test-style")
        assert bank is not None
        profile = scoring.learning_style_profile(bank.questions, STYLE_ANSWERS)
    assert profile == {"activist": 5, "reflector": 1, "theorist": 6, "pragmatist": 2}


def test_the_learning_style_page_explains_the_profile(app, client, make_user, login):
    login(make_user(Role.PARTICIPANT))  # no enrolment needed, and taken once
    page = _take(client, "test-style", "once", STYLE_ANSWERS)
    (attempt,) = support.attempts(app)
    assert attempt.profile == {"activist": 5, "reflector": 1, "theorist": 6, "pragmatist": 2}
    assert "not a diagnosis" in page
    assert "Theorist (your strongest preference)" in page
    assert "Activist (your strongest preference)" not in page
    assert "6 of 6" in page and "5 of 6" in page and "1 of 6" in page
    assert "theorist description" in page and "theorist tips" in page
    again = support.page_text(client.get("/assessments/test-style/once"))
    assert "You have already taken it." in again


def test_knowledge_scores_with_partial_credit(app):
    with app.app_context():
        bank = get_catalogue().quiz("test-knowledge")
        assert bank is not None
        # tk-1 right (1), tk-2 one of two keyed options and one wrong (1/2 − 1/2 = 0),
        # tk-3 wrong (0), tk-4 unanswered (0).
        result = scoring.knowledge_score(bank.questions,
                                         {"tk-1": "a", "tk-2": ["a", "b"], "tk-3": False})
    assert result.points == {"tk-1": 1.0, "tk-2": 0.0, "tk-3": 0.0, "tk-4": 0.0}
    assert (result.score, result.max_score, result.percent) == (1.0, 4.0, 25.0)


def test_pre_and_post_test_are_compared_after_the_post_test(app, client, make_user, login):
    person, other = make_user(Role.PARTICIPANT), make_user(Role.PARTICIPANT)
    support.enrol(app, person, other)
    login(person)
    pre = _take(client, "test-knowledge", "pre", {"tk-1": "a", "tk-2": ["a"], "tk-3": "false"})
    assert "1.5 / 3 (50%)" in pre and "This is your starting point." in pre
    with app.app_context():  # the cohort progress table's "pre-evaluation" step
        assert steps.has_provider(steps.PRE_EVALUATION)
        assert steps.pre_evaluation_done([person.id, other.id]) == {person.id}

    support.progress(app, person, support.MODULE_1)
    support.progress(app, person, support.MODULE_4, sections=["m4-a", "m4-b"])
    post = _take(client, "test-knowledge", "post",
                 {"tk-2": ["a", "c"], "tk-3": "true", "tk-4": "a"})
    assert "2 / 3 (67%)" in post
    assert "Before and after the modules" in post
    assert "Your score rose by 16.7 percentage points." in post


def test_confidence_medians_before_and_after(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    before = _take(client, "test-confidence", "pre",
                   {"tc-1": "2", "tc-2": "3", "tc-3": "5", "tc-4": "1", "tc-5": "2"})
    assert "Your median rating" in before
    support.progress(app, person, support.MODULE_4, sections=["m4-a", "m4-b"])
    after = _take(client, "test-confidence", "post",
                  {"tc-1": "4", "tc-2": "4", "tc-3": "5", "tc-4": "3"})
    pre_attempt, post_attempt = support.attempts(app)
    assert pre_attempt.profile == {"maltreatment-effects": 3.0, "supervision-coaching": 1.5}
    assert post_attempt.profile == {"maltreatment-effects": 4.0, "supervision-coaching": 3.0}
    row = after[after.index("Supervising and coaching"):]
    assert row.index("1.5") < row.index("3")  # before, then after


def test_an_anonymous_survey_keeps_no_link_to_the_person(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT, name="Amina Nkurunziza")
    cohort_id = support.enrol(app, person)
    login(person)
    page = _take(client, "test-survey", "once", {
        "sv-matrix.s1": "strongly_agree", "sv-matrix.s2": "somewhat_disagree",
        "sv-rank.a": "2", "sv-rank.b": "3", "sv-rank.c": "1",
        "sv-text": "More role plays, please"})
    assert "Thank you" in page
    assert "More role plays" not in page and "Amina" not in page

    (attempt,) = support.attempts(app)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.submitted_at is None
    assert support.rows(app, Answer) == []  # nothing left on the person's attempt
    (response,) = support.rows(app, AnonymousResponse)
    assert (response.bank_id, response.cohort_id, response.language, response.submitted_on) == (
        "test-survey", cohort_id, "en", date.today())
    stored = {row.question_id: row.value for row in support.rows(app, AnonymousAnswer)}
    assert stored == {"sv-matrix": {"s1": "strongly_agree", "s2": "somewhat_disagree"},
                      "sv-rank": ["c", "a", "b"], "sv-text": "More role plays, please"}
    listing = support.page_text(client.get("/assessments"))
    assert "your answers were recorded anonymously" in listing
    assert client.get(f"/assessments/attempts/{attempt.id}").get_data(as_text=True).count(
        "More role plays") == 0
