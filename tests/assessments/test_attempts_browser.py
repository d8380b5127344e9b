"""The acceptance journey in a real browser: answer half a test, lose the connection,
answer more, reconnect, close the tab, come back — every answer is there — and a double
click on Submit gives one result."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from learning.accounts.models import Role, User
from learning.assessments.models import AttemptStatus
from tests.assessments import attempts_support as support
from tests.conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


@pytest.fixture
def fixture_course(monkeypatch: pytest.MonkeyPatch,
                   tmp_path_factory: pytest.TempPathFactory) -> Path:
    return support.use_fixture_course(monkeypatch, tmp_path_factory)


@pytest.fixture
def app(fixture_course: Path, app: Flask) -> Flask:
    return app




def _sign_in(page, live_server: str, user: User, target: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login?next={target}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _wait_for(probe: Callable[[], object], expected: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (value := probe()) != expected:
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {seconds} s, expected {expected!r}")
        time.sleep(0.1)


def test_offline_answers_arrive_and_a_double_click_submits_once(live_server, browser, app,
                                                                 make_user):
    person = make_user(Role.PARTICIPANT)
    support.enrol(app, person)
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    take = "/assessments/test-knowledge/pre"
    _sign_in(page, live_server, person, take)
    page.get_by_role("button", name="Start").click()
    (attempt,) = support.attempts(app)
    status = page.locator("[data-save-status]")

    page.locator("#q-tk-1-a").check()  # the first half, online
    _wait_for(lambda: support.answers(app, attempt.id), {"tk-1": "a"})
    expect(status).to_have_text("Saved")

    context.set_offline(True)
    page.locator("#q-tk-2-a").check()
    page.locator("#q-tk-2-c").check()
    expect(status).to_contain_text("Offline")
    assert support.answers(app, attempt.id) == {"tk-1": "a"}
    context.set_offline(False)
    _wait_for(lambda: support.answers(app, attempt.id), {"tk-1": "a", "tk-2": ["a", "c"]})
    page.close()

    page = context.new_page()  # the tab closed; the person comes back
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{live_server}{take}")
    for checked in ("#q-tk-1-a", "#q-tk-2-a", "#q-tk-2-c"):
        expect(page.locator(checked)).to_be_checked()
    expect(page.locator("#q-tk-2-b")).not_to_be_checked()

    page.locator("#q-tk-3-true").check()
    page.get_by_role("button", name="Submit my answers").dblclick()
    expect(page.get_by_role("heading", name="Your score")).to_be_visible()
    (attempt,) = support.attempts(app)
    assert (attempt.status, attempt.score, attempt.max_score) == (AttemptStatus.SUBMITTED,
                                                                  3.0, 3.0)
    expect(page.get_by_text("3 / 3 (100%)")).to_be_visible()
    context.close()
    assert problems == []
