"""Taking an instrument as a participant does: start, answer as you go, leave, come back,
a second tab, no JavaScript — nothing is lost and nothing is counted twice."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask import Flask

from learning.accounts.models import Role
from learning.assessments.models import AttemptStatus
from tests.assessments import attempts_support as support
from tests.conftest import BrowserLikeClient, sign_in


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app


def _checked(page: str, field: str) -> list[str]:
    """The values of the checked inputs named ``field`` on a page."""
    return re.findall(rf'name="{re.escape(field)}" id="[^"]+" value="([^"]+)" checked', page)


def test_answers_are_kept_across_sessions_and_shown_again(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    assert support.save_json(client, attempt_id, "tk-1", "b", "save-tk1-first").json["ok"]
    assert support.save_json(client, attempt_id, "tk-2", ["c", "a"], "save-tk2-first").json[
        "revision"] == 1
    client.post("/logout", data={"csrf_token": client.token()})

    login(person)  # another day, another session
    assert support.start(client, "test-knowledge", "pre") == attempt_id
    page = client.get("/assessments/test-knowledge/pre").get_data(as_text=True)
    assert _checked(page, "q-tk-1") == ["b"]
    assert _checked(page, "q-tk-2") == ["a", "c"]
    assert _checked(page, "q-tk-3") == []
    assert "q-tk-4" not in page  # the post-test form's own item
    assert support.answers(app, attempt_id) == {"tk-1": "b", "tk-2": ["a", "c"]}


def test_a_retried_save_is_stored_once(app, client, make_user, login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    first = support.save_json(client, attempt_id, "tk-1", "b", "same-key-0001")
    support.save_json(client, attempt_id, "tk-1", "c", "other-key-002")
    replay = support.save_json(client, attempt_id, "tk-1", "b", "same-key-0001")
    assert replay.json["replayed"] is True and replay.json["revision"] == first.json["revision"]
    assert support.answers(app, attempt_id) == {"tk-1": "c"}


def test_two_tabs_share_one_attempt_and_never_undo_each_other(app, make_user):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    tab_a: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    tab_b: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    for tab in (tab_a, tab_b):
        sign_in(tab, person)
    attempt_id = support.start(tab_a, "test-knowledge", "pre")
    assert support.start(tab_b, "test-knowledge", "pre") == attempt_id
    assert len(support.attempts(app)) == 1

    # Both pages are open with nothing answered; B answers tk-1, then A (still showing
    # tk-1 empty) answers tk-3: A's page save must not clear B's answer.
    page_a = tab_a.get("/assessments/test-knowledge/pre").get_data(as_text=True)
    shown_a = html.unescape(re.search(r'name="shown" value="([^"]+)"', page_a).group(1))
    support.save_json(tab_b, attempt_id, "tk-1", "a", "tab-b-save-1")
    response = tab_a.post(f"/assessments/attempts/{attempt_id}/answers",
                          data={"csrf_token": tab_a.last_token, "key": "tab-a-page-save-1",
                                "shown": shown_a, "q-tk-3": "true"},
                          headers=support.JSON)
    assert response.status_code == 200 and response.json["saved"] == ["tk-3"]
    assert support.answers(app, attempt_id) == {"tk-1": "a", "tk-3": True}


def test_without_javascript_the_page_saves_then_submits_everything(app, client, make_user,
                                                                   login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    page = client.get("/assessments/test-knowledge/pre").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="(csrf_token|key|shown)" value="([^"]*)"',
                             page))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    saved = client.post(f"/assessments/attempts/{attempt_id}/answers",
                        data={**fields, "q-tk-1": "a", "q-tk-2": ["a", "c"]})
    assert saved.status_code == 302
    assert "Your answers are saved" in client.get(saved.headers["Location"]).get_data(
        as_text=True)

    # The Submit button posts the same form (its formaction) with the last answer in it.
    page = client.get("/assessments/test-knowledge/pre").get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="(csrf_token|key|shown)" value="([^"]*)"', page)}
    submitted = client.post(f"/assessments/attempts/{attempt_id}/submit",
                            data={**fields, "q-tk-1": "a", "q-tk-2": ["a", "c"],
                                  "q-tk-3": "false"})
    assert submitted.headers["Location"].endswith(f"/assessments/attempts/{attempt_id}")
    (attempt,) = support.attempts(app)
    assert attempt.status == AttemptStatus.SUBMITTED
    assert (attempt.score, attempt.max_score) == (2.0, 3.0)
    result = html.unescape(client.get(submitted.headers["Location"]).get_data(as_text=True))
    assert "2 / 3 (67%)" in result


def test_a_submission_missing_a_required_answer_keeps_what_was_given(app, client, make_user,
                                                                     login):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    login(person)
    attempt_id = support.start(client, "test-knowledge", "pre")
    page = client.get("/assessments/test-knowledge/pre").get_data(as_text=True)
    fields = {name: html.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="(csrf_token|key|shown)" value="([^"]*)"', page)}
    response = client.post(f"/assessments/attempts/{attempt_id}/submit",
                           data={**fields, "q-tk-1": "a"})
    assert response.status_code == 200
    text = html.unescape(response.get_data(as_text=True))
    assert "Please answer this question." in text
    assert support.attempts(app)[0].status == AttemptStatus.OPEN
    assert support.answers(app, attempt_id) == {"tk-1": "a"}
