"""The training report in a real browser: saved as the trainer types, and a tab that is
behind another is told so instead of overwriting it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from flask import Flask

from learning.db import db
from learning.rollout.models import Training
from tests.conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def _stored(app: Flask, training_id: int) -> Callable[[], tuple[str, str, list[str]]]:
    def probe() -> tuple[str, str, list[str]]:
        with app.app_context():
            training = db.session.get(Training, training_id)
            return (training.challenges, training.adaptations,
                    [row.name for row in training.organisations])
    return probe


def _wait_for(probe: Callable[[], object], expected: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (value := probe()) != expected:
        if time.monotonic() > deadline:
            pytest.fail(f"still {value!r} after {seconds} s, expected {expected!r}")
        time.sleep(0.1)


def test_the_report_saves_as_you_type_and_a_stale_tab_is_told(app, live_server, browser,
                                                              world, record_training):
    trainer = world.people["teammate"]
    training_id, _report = record_training(trainer, world.cohort_id, organisations=("AVSI",))
    stored = _stored(app, training_id)
    context = browser.new_context()
    first = context.new_page()
    first.goto(f"{live_server}/login?next=/trainings/{training_id}/edit")
    first.get_by_label("E-mail address").fill(trainer.email)
    first.get_by_label("Password").fill(PASSWORD)
    first.get_by_role("button", name="Sign in").click()
    expect(first.get_by_role("heading", name="Report on the training")).to_be_visible()

    first.get_by_label("Challenges met").fill("Rain on day one.")
    first.locator("#organisations-1-name").fill("Caritas")
    first.locator("#organisations-1-type").select_option("national_ngo")
    expect(first.locator("[data-save-status]")).to_have_text("Saved")
    _wait_for(stored, ("Rain on day one.", "", ["AVSI", "Caritas"]))

    # A second tab, opened now, saves; the first tab is now behind it.
    second = context.new_page()
    second.goto(f"{live_server}/trainings/{training_id}/edit")
    second.get_by_label("Adaptations made for the context").fill("Local case studies.")
    expect(second.locator("[data-save-status]")).to_have_text("Saved")
    _wait_for(stored, ("Rain on day one.", "Local case studies.", ["AVSI", "Caritas"]))

    first.get_by_label("Challenges met").fill("Rain on day one and two.")
    expect(first.locator("[data-save-status]")).to_contain_text(
        "changed in another tab or device")
    assert stored() == ("Rain on day one.", "Local case studies.", ["AVSI", "Caritas"])
    context.close()
