"""Who may take which bank when: the windows of the programme and the per-cohort overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask

from learning.accounts.models import Role
from learning.assessments import gating
from learning.assessments.gating import Reason, Situation
from learning.assessments.models import AttemptStatus, Purpose
from learning.cohorts.models import Cohort
from learning.content.schema import Catalogue
from learning.courses.catalogue import get_catalogue
from tests.assessments import attempts_support as support

PRECOURSE_1, MODULE_1, MODULE_4 = support.PRECOURSE_1, support.MODULE_1, support.MODULE_4


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app


@pytest.fixture
def catalogue(app: Flask) -> Catalogue:
    with app.app_context():
        return get_catalogue()


def _situation(*, enrolled: bool = True, settings: dict[str, bool] | None = None,
               started: tuple[str, ...] = (), done: tuple[str, ...] = (),
               submitted: tuple[tuple[str, Purpose], ...] = ()) -> Situation:
    cohort = Cohort(name="ToT", slug="tot", start_date=date(2030, 3, 2),
                    end_date=date(2030, 3, 6), settings=settings or {}) if enrolled else None
    return Situation(cohort=cohort, started_units=frozenset(started + done),
                     done_units=frozenset(done), submitted=frozenset(submitted))


def _reason(catalogue: Catalogue, bank_id: str, purpose: Purpose,
            situation: Situation) -> Reason | None:
    bank = catalogue.quiz(bank_id)
    assert bank is not None
    return gating.gate(catalogue, situation, bank, purpose).reason


@pytest.mark.parametrize("bank_id", ["test-knowledge", "test-confidence"])
def test_before_the_modules_opens_at_enrolment_and_closes_when_module_1_starts(catalogue,
                                                                              bank_id):
    assert _reason(catalogue, bank_id, Purpose.PRE, _situation(enrolled=False)) == \
        Reason.NOT_ENROLLED
    assert _reason(catalogue, bank_id, Purpose.PRE, _situation(done=(PRECOURSE_1,))) is None
    assert _reason(catalogue, bank_id, Purpose.PRE, _situation(started=(MODULE_1,))) == \
        Reason.MODULE_1_STARTED
    keep_open = {"pre_test_closes_at_module_1": False}
    assert _reason(catalogue, bank_id, Purpose.PRE,
                   _situation(settings=keep_open, done=(MODULE_1, MODULE_4))) is None
    assert _reason(catalogue, bank_id, Purpose.PRE,
                   _situation(submitted=((bank_id, Purpose.PRE),))) == Reason.ALREADY_DONE


@pytest.mark.parametrize("bank_id", ["test-knowledge", "test-confidence"])
def test_after_the_modules_opens_when_module_4_is_done(catalogue, bank_id):
    assert _reason(catalogue, bank_id, Purpose.POST, _situation(started=(MODULE_4,))) == \
        Reason.MODULE_4_NOT_DONE
    assert _reason(catalogue, bank_id, Purpose.POST, _situation(done=(MODULE_1, MODULE_4))) \
        is None
    assert _reason(catalogue, bank_id, Purpose.POST,
                   _situation(settings={"post_test_requires_module_4": False})) is None
    # A pre-test never taken does not hold the post-test back, and the post-test is once.
    assert _reason(catalogue, bank_id, Purpose.POST,
                   _situation(done=(MODULE_4,), submitted=((bank_id, Purpose.POST),))) == \
        Reason.ALREADY_DONE


def test_quizzes_and_the_learning_style_questionnaire(catalogue):
    anyone = _situation(enrolled=False, started=(MODULE_1,))
    assert _reason(catalogue, "quiz-module-1", Purpose.QUIZ, anyone) is None
    retaken = _situation(submitted=(("quiz-module-1", Purpose.QUIZ),))
    assert _reason(catalogue, "quiz-module-1", Purpose.QUIZ, retaken) is None
    # Best before module 1, never blocked for it; taken once.
    assert _reason(catalogue, "test-style", Purpose.ONCE, anyone) is None
    assert _reason(catalogue, "test-style", Purpose.ONCE,
                   _situation(submitted=(("test-style", Purpose.ONCE),))) == Reason.ALREADY_DONE


def test_ratings_evaluation_and_survey(catalogue):
    assert _reason(catalogue, "rating-precourse-1", Purpose.ONCE,
                   _situation(started=(PRECOURSE_1,))) == Reason.UNIT_NOT_DONE
    assert _reason(catalogue, "rating-precourse-1", Purpose.ONCE,
                   _situation(done=(PRECOURSE_1,))) is None
    for bank_id in ("test-evaluation", "test-survey"):
        assert _reason(catalogue, bank_id, Purpose.ONCE, _situation()) is None
        assert _reason(catalogue, bank_id, Purpose.ONCE, _situation(enrolled=False)) == \
            Reason.NOT_ENROLLED


def test_a_purpose_the_bank_is_not_taken_for_is_an_error(catalogue):
    bank = catalogue.quiz("quiz-module-1")
    assert bank is not None
    with pytest.raises(ValueError, match="not taken for"):
        gating.gate(catalogue, _situation(), bank, Purpose.PRE)


def test_progress_decides_the_windows(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    # Module 4's facilitator notes are not needed for it to count as done.
    support.progress(app, person, MODULE_4, sections=["m4-a"])
    closed = support.page_text(client.get("/assessments/test-knowledge/post"))
    assert "Opens when you have finished module 4." in closed
    assert client.submit("/assessments/test-knowledge/post").status_code == 302
    assert support.attempts(app) == []
    support.progress(app, person, MODULE_4, sections=["m4-b"])
    support.start(client, "test-knowledge", "post")
    assert [a.purpose for a in support.attempts(app)] == [Purpose.POST]


def test_opening_module_1_finishes_a_pre_test_in_progress_from_its_answers(app, client,
                                                                           make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    support.save_json(client, attempt_id, "tk-1", "a", "before-module-1")
    support.progress(app, person, MODULE_1, completed=False, sections=["m1-a"])

    page = support.page_text(client.get("/assessments/test-knowledge/pre"))
    assert "This questionnaire has closed." in page
    late = support.save_json(client, attempt_id, "tk-2", ["a"], "after-module-1")
    assert late.status_code == 409
    (attempt,) = support.attempts(app)
    assert (attempt.status, attempt.score) == (AttemptStatus.SUBMITTED, 1.0)
    assert support.answers(app, attempt_id) == {"tk-1": "a"}


def test_the_list_follows_the_programme_with_each_state(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person, settings={"pre_test_closes_at_module_1": True})
    login(person)
    support.start(client, "test-confidence", "pre")
    support.progress(app, person, MODULE_1, completed=False, sections=["m1-a"])
    page = support.page_text(client.get("/assessments"))
    titles = ["How I learn", "Knowledge test — before the modules",
              "Confidence self-assessment — before the modules", "Module 1 quiz",
              "Knowledge test — after the modules",
              "Confidence self-assessment — after the modules", "Rate pre-course part 1",
              "ToT evaluation", "Lessons-learned survey"]
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    knowledge_pre = page[positions[1]:positions[2]]
    assert "Not open — Closed: it is taken before starting module 1." in knowledge_pre
    # The confidence rating begun before module 1 is closed too, and kept to be submitted.
    assert "Closed — The answers you saved are kept" in page[positions[2]:positions[3]]
    assert "Open — Start" in page[positions[3]:positions[4]]
    assert "Opens when you have finished module 4." in page[positions[4]:positions[5]]
    assert "Opens when you have finished “Unit precourse-1-case-management”." in \
        page[positions[6]:positions[7]]
