"""Progress that is never lost, in a real browser: offline, without JavaScript, and after
the session ends while the participant is writing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db
from tests.conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

FIRST = "pc1-six-steps"
SECOND = "pc1-case-study-camp"  # the section after FIRST; it has one reflection prompt
REFLECTION = "pc1-r-case-study-supervisor"
SECOND_TITLE = "Case study: Issa in a displacement camp"
SIGN_IN_AGAIN = re.compile(r"Your session has ended\. Sign in again")


ONLINE_TEXT = "Issa's supervisor should ask first."
OFFLINE_TEXT = " Then plan the visit together."


def sign_in(page, live_server: str, user: User, target: str = "/") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login?next={target}")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def watch_for_errors(page, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(message.text)
            if "Content Security Policy" in message.text else None)


def wait_for(probe: Callable[[], object], expected: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (value := probe()) != expected:
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {seconds} s, expected {expected!r}")
        time.sleep(0.1)


def saved_text(app: Flask, user: User) -> str | None:
    with app.app_context():
        return db.session.scalar(select(ReflectionAnswer.text).where(
            ReflectionAnswer.user_id == user.id, ReflectionAnswer.reflection_id == REFLECTION))


def progress(app: Flask, user: User) -> dict[str, bool]:
    """Section id → whether it is completed, for every section the person opened."""
    with app.app_context():
        rows = db.session.scalars(select(SectionProgress).where(SectionProgress.user_id == user.id))
        return {row.section_id: row.completed_at is not None for row in rows}


def typed_offline_is_kept_then_saved(app: Flask, user: User, page, context,  # type: ignore[no-untyped-def]
                                     type_text: Callable[[str], object]) -> str:
    """Type a sentence online (saved), another offline (kept on the device, with nothing
    about the person), then reconnect (saved); the full text is returned. ``type_text``
    types the way the journey does: mouse-focused box or keyboard alone."""
    status = page.locator("[data-save-status]")
    type_text(ONLINE_TEXT)
    expect(status).to_have_text("Saved")
    assert saved_text(app, user) == ONLINE_TEXT

    context.set_offline(True)
    type_text(OFFLINE_TEXT)
    expect(status).to_contain_text("Offline — your text is kept on this device")
    assert saved_text(app, user) == ONLINE_TEXT
    # Kept on the device: the answer and the form's address, nothing about the person.
    kept = page.evaluate("JSON.stringify(localStorage)")
    assert OFFLINE_TEXT.strip() in kept
    assert user.email not in kept and user.name.split()[0] not in kept

    context.set_offline(False)
    full = ONLINE_TEXT + OFFLINE_TEXT
    wait_for(lambda: saved_text(app, user), full)
    expect(status).to_have_text("Saved")
    return full


def test_text_typed_offline_is_saved_when_the_connection_returns(live_server, browser, app,
                                                                 make_user):
    user = make_user(Role.PARTICIPANT, name="Aline Irakoze", email="aline@example.org")
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    sign_in(page, live_server, user, f"/learn/sections/{FIRST}")
    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SECOND_TITLE)
    # Opening the second section is recorded by the script, without any click.
    wait_for(lambda: progress(app, user), {FIRST: True, SECOND: False})

    box = page.get_by_label("Your reflection")
    full = typed_offline_is_kept_then_saved(
        app, user, page, context, lambda text: box.press_sequentially(text, delay=5))
    context.close()

    fresh = browser.new_context()
    page = fresh.new_page()
    watch_for_errors(page, problems)
    sign_in(page, live_server, user, f"/learn/sections/{SECOND}")
    expect(page.get_by_label("Your reflection")).to_have_value(full)
    fresh.close()
    assert problems == []


def test_without_javascript_the_plain_buttons_save(live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, user, f"/learn/sections/{SECOND}")

    page.get_by_label("Your reflection").fill("Written with scripts turned off.")
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
    expect(page.get_by_label("Your reflection")).to_have_value("Written with scripts turned off.")
    assert saved_text(app, user) == "Written with scripts turned off."

    page.get_by_label("Your reflection").fill("Written with scripts turned off, then changed.")
    page.get_by_role("button", name="Save my reflection").click()
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
    assert saved_text(app, user) == "Written with scripts turned off, then changed."

    page.get_by_role("button", name="Mark as done and continue").click()
    expect(page.get_by_text("Section marked as done.")).to_be_visible()
    assert progress(app, user)[SECOND] is True
    context.close()


def test_session_ends_while_typing_and_the_text_arrives_after_signing_in_again(
        live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    sign_in(page, live_server, user, f"/learn/sections/{SECOND}")
    box = page.get_by_label("Your reflection")
    status = page.locator("[data-save-status]")
    box.press_sequentially("Before the session ended.", delay=5)
    expect(status).to_have_text("Saved")

    with app.app_context():  # signed out everywhere, e.g. from another device
        accounts.end_all_sessions(db.session.get(User, user.id))
        db.session.commit()
    box.press_sequentially(" Written after it ended.", delay=5)
    expect(status).to_contain_text(SIGN_IN_AGAIN)
    assert saved_text(app, user) == "Before the session ended."

    # The message links to the sign-in page in a new tab; signing in there is all it takes.
    with context.expect_page() as opened:
        status.get_by_role("link").click()
    other_tab = opened.value
    watch_for_errors(other_tab, problems)
    other_tab.get_by_label("E-mail address").fill(user.email)
    other_tab.get_by_label("Password").fill(PASSWORD)
    other_tab.get_by_role("button", name="Sign in").click()
    full = "Before the session ended. Written after it ended."
    wait_for(lambda: saved_text(app, user), full)
    expect(status).to_have_text("Saved")
    other_tab.close()

    # The first tab goes on saving with the new session (its CSRF token is renewed).
    box.press_sequentially(" And more.", delay=5)
    wait_for(lambda: saved_text(app, user), full + " And more.")
    expect(status).to_have_text("Saved")
    context.close()
    assert problems == []


def test_two_tabs_editing_one_reflection_the_later_save_wins_and_the_other_tab_is_told(
        live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context()
    first = context.new_page()
    watch_for_errors(first, problems)
    sign_in(first, live_server, user, f"/learn/sections/{SECOND}")
    second = context.new_page()
    watch_for_errors(second, problems)
    second.goto(f"{live_server}/learn/sections/{SECOND}")
    replaced = "This text was also changed in another tab or device"

    first.get_by_label("Your reflection").press_sequentially("Written in the first tab.", delay=5)
    expect(first.locator("[data-save-status]")).to_have_text("Saved")

    second.get_by_label("Your reflection").press_sequentially("Written in the second tab.",
                                                              delay=5)
    expect(second.locator("[data-save-status]")).to_contain_text(replaced)
    wait_for(lambda: saved_text(app, user), "Written in the second tab.")

    # Back in the first tab: told, and its text is left as the person sees it. Headless
    # Chromium keeps every tab focused, so the focus a person gives by switching back to the
    # tab is dispatched by hand.
    first.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(first.locator("[data-save-status]")).to_contain_text(replaced)
    expect(first.get_by_label("Your reflection")).to_have_value("Written in the first tab.")
    with app.app_context():
        rows = db.session.scalars(select(ReflectionAnswer).where(
            ReflectionAnswer.user_id == user.id)).all()
        assert [(row.text, row.revision) for row in rows] == [("Written in the second tab.", 2)]
    context.close()
    assert problems == []
