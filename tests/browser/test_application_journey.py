"""A country application in a real browser: a French-speaking coordinator drafts it over two
sittings (the draft is saved as she types), submits it; an admin reviews and selects it, and
the nominees appear as the country team of the cohort.

Fields are found by their ids: the coordinator reads the pages in French."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Role
from learning.cohorts.application_models import ApplicationStatus, CountryApplication
from learning.cohorts.models import Enrolment, EnrolmentStatus
from learning.db import db
from tests.browser.test_autosave_journey import sign_in, wait_for, watch_for_errors
from tests.cohorts.test_applications import TEAM, make_cohort

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser


def stored(app: Flask, name: str) -> object:
    with app.app_context():
        application = db.session.scalar(select(CountryApplication))
        return getattr(application, name) if application else None


def fill(page, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for selector, value in values.items():
        page.locator(selector).fill(value)


def sign_out(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("form[action='/logout'] button").click()
    page.wait_for_url(re.compile(r"/login"))


def test_a_coordinator_applies_in_french_and_the_team_joins_the_cohort(live_server, browser,
                                                                       app, make_user):
    coordinator = make_user(Role.COORDINATOR, country="BI", language="fr",
                            name="Aline Ndayishimiye", email="aline@example.org")
    admin = make_user(Role.ADMIN, country=None, name="Amina Diallo")
    cohort_id = make_cohort(app, slug="gitega")
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)

    # First sitting: the application is started, and the focal points typed in.
    sign_in(page, live_server, coordinator, "/applications/new")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.locator("#cohort").select_option(str(cohort_id))
    page.locator("#submit").click()
    page.wait_for_url(re.compile(r"/parts/contacts$"))
    expect(page.locator("#focal_name")).to_have_value("Aline Ndayishimiye")
    fill(page, {"#focal_title": "Coordinatrice du sous-groupe", "#focal_organisation": "UNICEF",
                "#focal_phone": "+257 22 00 00 00", "#backup_name": "Éric Nkurunziza",
                "#backup_title": "Chargé de protection", "#backup_organisation": "FVS-Amade",
                "#backup_email": "eric@example.org"})
    wait_for(lambda: stored(app, "backup_email"), "eric@example.org")
    application_id = stored(app, "id")
    page.goto(f"{live_server}/applications/{application_id}/parts/part1")
    page.locator("#has_cm_subgroup").select_option("yes")
    page.locator("#cm_subgroup_description").fill("Se réunit chaque mois à Bujumbura.")
    wait_for(lambda: stored(app, "cm_subgroup_description"), "Se réunit chaque mois à Bujumbura.")
    sign_out(page)

    # Second sitting: the draft is there; the rest is written, the team nominated.
    sign_in(page, live_server, coordinator, "/applications")
    page.locator(f"a[href='/applications/{application_id}']").click()
    page.locator(f"a[href='/applications/{application_id}/parts/contacts']").first.click()
    expect(page.locator("#backup_name")).to_have_value("Éric Nkurunziza")
    page.goto(f"{live_server}/applications/{application_id}/parts/part1")
    expect(page.locator("#has_cm_subgroup")).to_have_value("yes")
    expect(page.locator("#cm_subgroup_description")).to_have_value(
        "Se réunit chaque mois à Bujumbura.")
    page.locator("#has_interagency_sops").select_option("no")
    fill(page, {"#government_role": "Le ministère coordonne le référencement.",
                "#recent_trainings": "Deux formations interagences en mars.",
                "#capacity_building": "Un programme de coaching jusqu’en décembre."})
    wait_for(lambda: stored(app, "capacity_building"),
             "Un programme de coaching jusqu’en décembre.")
    fill(page, {"#agency-name": "FVS-Amade", "#agency-cm_started_on": "2016-03",
                "#agency-active_cases": "420", "#agency-caseworkers": "30",
                "#agency-supervisors": "6"})
    page.locator("#agency-organisation_type").select_option("national_ngo")
    page.locator("#agency-submit").click()
    expect(page.locator("#agencies table")).to_contain_text("FVS-Amade")

    # Part II is sent with the form's own button, as without JavaScript.
    page.goto(f"{live_server}/applications/{application_id}/parts/part2")
    fill(page, {"#why_join": "Les superviseurs manquent d’accompagnement.",
                "#follow_up": "Des appels mensuels du sous-groupe.",
                "#obstacles": "La rotation du personnel.",
                "#obstacle_responses": "Former deux personnes par agence."})
    page.locator("#part-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/team$"))
    for name, email, organisation, kind, alternate in TEAM:
        fill(page, {"#nominee-name": name, "#nominee-email": email,
                    "#nominee-organisation": organisation, "#nominee-title": "Superviseur·e",
                    "#nominee-reason": "Supervise une équipe de travailleurs sociaux."})
        page.locator("#nominee-organisation_type").select_option(kind.value)
        if alternate:
            page.locator("#nominee-is_alternate").check()
        page.locator("#nominee-submit").click()
        expect(page.locator("#nominees")).to_contain_text(name)

    page.goto(f"{live_server}/applications/{application_id}/parts/commitment")
    page.locator("#commitment_agreed").check()
    fill(page, {"#signatory_title": "Coordinatrice", "#signed_on": "2030-01-15"})
    wait_for(lambda: (stored(app, "commitment_agreed"), stored(app, "signatory_title"),
                      stored(app, "signed_on")), (True, "Coordinatrice", date(2030, 1, 15)))
    page.goto(f"{live_server}/applications/{application_id}/submit")
    page.locator("#submit").click()
    page.wait_for_url(re.compile(rf"/applications/{application_id}$"))
    assert stored(app, "status") == ApplicationStatus.SUBMITTED
    assert stored(app, "language") == "fr"
    sign_out(page)

    # The admin scores the application and selects it into the cohort.
    sign_in(page, live_server, admin, f"/applications/{application_id}/review")
    for name, score in (("relevance_score", "4"), ("interagency_score", "5"),
                        ("team_score", "4"), ("basics_score", "3")):
        page.locator(f"#{name}").select_option(score)
    page.locator("#review-form #submit").click()
    expect(page.locator("#relevance_score")).to_have_value("4")
    page.locator("#decision-decision-0").check()
    page.locator("#decision-cohort").select_option(str(cohort_id))
    page.locator("#decision-message").fill("Félicitations au sous-groupe.")
    page.locator("#decision-submit").click()
    expect(page.get_by_text("7 people are enrolled and invited.")).to_be_visible()

    page.goto(f"{live_server}/cohorts/{cohort_id}")
    expect(page.get_by_text("Burundi: 7 people")).to_be_visible()
    for name, *_ in TEAM:
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Enrolment.status).where(
            Enrolment.cohort_id == cohort_id)))
    assert statuses == sorted([EnrolmentStatus.NOMINATED] * 5 + [EnrolmentStatus.ALTERNATE] * 2)
    assert problems == []
    context.close()
