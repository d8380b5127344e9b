"""Sign in, switch to French, see the French home page — in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from learning.accounts.models import Role
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_switch_to_french_and_stay_french(live_server, browser, make_user):
    user = make_user(Role.PARTICIPANT, name="Aline Irakoze", language="en")
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Aline Irakoze")).to_be_visible()

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    context.close()

    # A new browser (English by Accept-Language) and a new sign-in: French again, because
    # the choice was saved as the person's preference.
    second = browser.new_context(locale="en-US")
    page = second.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    second.close()
    assert violations == []
