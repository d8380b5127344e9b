"""The action plan in a real browser: an item added with the plain form, then edited in
place and saved by the autosave script, and a second tab told its text was replaced."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Role
from learning.db import db
from learning.plans.models import ActionPlanItem, PlanStatus
from tests.browser.test_autosave_journey import sign_in, wait_for, watch_for_errors

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

MODULE_1 = "module-1-defining-supervision"


def stored(app: Flask) -> list[tuple[str, PlanStatus, str]]:
    with app.app_context():
        items = db.session.scalars(select(ActionPlanItem))
        return [(item.action, item.status, item.notes) for item in items]


def test_an_item_is_added_then_saved_as_it_is_edited(live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    watch_for_errors(page, problems)
    sign_in(page, live_server, user, f"/plan?unit={MODULE_1}")
    add = page.locator(f"#add-{MODULE_1}")
    expect(add.get_by_label("Action")).to_be_focused()
    add.get_by_label("Action").fill("Hold a monthly supervision slot")
    add.get_by_label("Supervision function it strengthens").select_option("supportive")
    add.get_by_role("button", name="Add to my plan").click()
    expect(page.get_by_text("The action is added to your plan.")).to_be_visible()
    assert stored(app) == [("Hold a monthly supervision slot", PlanStatus.PLANNED, "")]

    item = page.locator("form.plan-item")
    item.get_by_label("Notes on progress").fill("First slot held on Monday")
    item.get_by_label("Status").select_option("started")
    wait_for(lambda: stored(app), [("Hold a monthly supervision slot", PlanStatus.STARTED,
                                    "First slot held on Monday")])
    expect(item.locator("[data-save-status]")).to_have_text("Saved")

    # A second tab, opened now, saves; the first tab's next save replaces it and says so.
    other = context.new_page()
    other.goto(f"{live_server}/plan")
    other.locator("form.plan-item").get_by_label("Action").fill("Wording from tab two")
    wait_for(lambda: stored(app)[0][0], "Wording from tab two")
    item.get_by_label("Action").fill("Wording from tab one")
    wait_for(lambda: stored(app)[0][0], "Wording from tab one")
    expect(item.locator("[data-save-status]")).to_have_text(
        re.compile("also changed in another tab or device"))
    page.reload()
    expect(page.locator("form.plan-item").get_by_label("Action")).to_have_value(
        "Wording from tab one")
    assert problems == []
    context.close()
