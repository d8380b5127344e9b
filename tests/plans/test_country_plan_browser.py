"""Two members of a country team edit the roll-out plan at the same time in real browsers:
the autosave script saves each one's text, refuses the second one's stale text without
losing it, and the plain "Save" button then shows both versions side by side."""

from __future__ import annotations

import pytest
from flask import Flask

from learning.db import db
from learning.plans.country_models import CountryPlan
from tests.browser.test_autosave_journey import sign_in, wait_for, watch_for_errors
from tests.conftest import in_french
from tests.plans.test_country_plan import plan_url, plan_world  # noqa: F401 - a fixture

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def stored(app: Flask, ids: dict[str, int], name: str) -> object:
    with app.app_context():
        return getattr(db.session.get(CountryPlan, ids["plan"]), name)


def test_two_members_type_in_the_same_section_and_nothing_is_lost(
        live_server, browser, app, plan_world):  # noqa: F811
    people, ids = plan_world
    problems: list[str] = []
    pages = {}
    for name in ("alice", "bruno"):
        page = browser.new_context().new_page()
        watch_for_errors(page, problems)
        sign_in(page, live_server, people[name], plan_url(ids))
        expect(page.locator("#context-agencies")).to_be_visible()
        pages[name] = page
    alice, bruno = pages["alice"], pages["bruno"]

    alice.locator("#context-agencies").fill("IRC, UNICEF")
    wait_for(lambda: stored(app, ids, "agencies"), "IRC, UNICEF")
    expect(alice.locator("#context [data-save-status]")).to_have_attribute("data-state",
                                                                           "saved")

    # Bruno's page still shows version 1. His follow-up text is saved: Alice did not touch it.
    bruno.locator("#follow_up-follow_up_plan").fill("Monthly call on the first Monday")
    wait_for(lambda: stored(app, ids, "follow_up_plan"), "Monthly call on the first Monday")
    # His context text would replace Alice's: refused, and he is told; his text stays.
    bruno.locator("#context-agencies").fill("IRC, War Child")
    status = bruno.locator("#context [data-save-status]")
    expect(status).to_have_attribute("data-state", "error")
    expect(status).to_have_text(in_french(
        "Not saved: %(names)s changed this part of the plan after you opened it. Your text is "
        "still here: press “Save” to see both versions and choose.", names="Alice Niyonzima"))
    expect(bruno.locator("#context-agencies")).to_have_value("IRC, War Child")
    assert stored(app, ids, "agencies") == "IRC, UNICEF"

    # The Save button shows both versions, with his text ready to be saved over hers.
    bruno.locator("#context button[type=submit]").click()
    table = bruno.locator("table.plan-clashes")
    expect(table).to_contain_text("IRC, UNICEF")
    expect(table).to_contain_text("IRC, War Child")
    bruno.locator("#yours-agencies").fill("IRC, UNICEF, War Child")
    bruno.locator("form.card button[type=submit]").click()
    wait_for(lambda: stored(app, ids, "agencies"), "IRC, UNICEF, War Child")
    assert problems == []
