"""The participant's journey with the keyboard alone (Tab, Shift+Tab, Enter, typing): sign
in, skip to the content, open a section, write a reflection that is saved, mark the
section done, switch to French and sign out. No mouse, no element clicked by script."""

from __future__ import annotations

import time

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.courses.models import ReflectionAnswer
from learning.db import db
from tests.browser.keyboard import focused, tab_to
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SECTION = "pc1-case-study-camp"
REFLECTION = "pc1-r-case-study-supervisor"


def test_the_learning_journey_with_the_keyboard_alone(app: Flask, live_server, browser,
                                                       make_user) -> None:
    person = make_user(Role.PARTICIPANT, name="Aline Irakoze")
    page = browser.new_context().new_page()
    page.goto(f"{live_server}/login")
    tab_to(page, lambda e: e["name"] == "email")
    page.keyboard.type(person.email)
    tab_to(page, lambda e: e["name"] == "password")
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/"

    # The skip link is the first stop and leads past the navigation.
    page.goto(f"{live_server}/learn/sections/{SECTION}")
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#main"
    page.keyboard.press("Enter")

    tab_to(page, lambda e: e["tag"] == "textarea")
    page.keyboard.type("Je demanderais à Issa ce qui l'inquiète le plus.")
    tab_to(page, lambda e: e["tag"] == "button" and "done" in e["text"].lower())
    with page.expect_navigation():  # leaving the textarea saved it; this marks it done
        page.keyboard.press("Enter")
    deadline = time.monotonic() + 10
    with app.app_context():
        while True:
            text = db.session.scalar(select(ReflectionAnswer.text).where(
                ReflectionAnswer.user_id == person.id,
                ReflectionAnswer.reflection_id == REFLECTION))
            db.session.rollback()
            if text or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    assert text == "Je demanderais à Issa ce qui l'inquiète le plus."

    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == "Français", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "fr"
    tab_to(page, lambda e: e["tag"] == "button" and e["text"] == "Se déconnecter")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/login"
    with app.app_context():
        assert db.session.get(User, person.id).language == "fr"
