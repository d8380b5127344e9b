"""Every browser journey again, with the keyboard alone (issue 9): Tab and Shift+Tab to move,
typing, Enter and Space to act, arrow keys in radio groups and selects. No element is clicked,
filled or focused by script: tests/browser/keyboard.py only reads what has the focus.

Each replay does the user-visible work of its mouse journey (test_first_journey,
test_autosave_journey, test_plan_journey, test_application_journey) and checks what the
person would notice and what was stored; the quiz journey has no mouse twin here."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.assessments.models import AttemptStatus
from learning.cohorts.application_models import (
    ApplicationAgency,
    ApplicationReview,
    ApplicationStatus,
    Decision,
    Nominee,
)
from learning.cohorts.models import Enrolment, EnrolmentStatus
from learning.courses.catalogue import get_catalogue
from learning.courses.models import ReflectionAnswer
from learning.db import db
from learning.plans.models import PlanStatus
from tests.assessments import attempts_support as support
from tests.browser import keyboard
from tests.browser.keyboard import (
    choose,
    focused,
    pick,
    press_on,
    tab_to,
    tab_to_button,
    tab_to_id,
    type_into,
)
from tests.browser.test_application_journey import stored as stored_application
from tests.browser.test_autosave_journey import (
    FIRST,
    SECOND,
    SECOND_TITLE,
    SIGN_IN_AGAIN,
    progress,
    saved_text,
    typed_offline_is_kept_then_saved,
    wait_for,
    watch_for_errors,
)
from tests.browser.test_plan_journey import MODULE_1
from tests.browser.test_plan_journey import stored as stored_plan
from tests.cohorts.test_applications import TEAM, make_cohort
from tests.conftest import PASSWORD

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

QUIZ = "quiz-module-1"


def path(page) -> str:  # type: ignore[no-untyped-def]
    """The page's path, without the query or the #main a skip link adds."""
    return urlsplit(page.url).path


def tab_to_href(page, ending: str, backwards: bool = False) -> None:  # type: ignore[no-untyped-def]
    tab_to(page, lambda e: e["tag"] == "a" and str(e["href"]).endswith(ending), backwards)


def tab_to_field(page, name: str, form_prefix: str,  # type: ignore[no-untyped-def]
                 backwards: bool = False) -> None:
    """A field by its name, in the form whose id starts with ``form_prefix`` (the plan page
    has one form per action, each with the same field names)."""
    tab_to(page, lambda e: e["name"] == name and str(e["form"]).startswith(form_prefix),
           backwards)


# --- sign in, switch to French (test_first_journey) -----------------------------------------


def test_sign_in_and_switch_to_french_by_keyboard(live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT, name="Aline Irakoze", language="en")
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user)
    expect(page.get_by_role("heading", name="Hello, Aline Irakoze")).to_be_visible()

    tab_to_button(page, "Français")
    press_on(page)
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "fr"
    tab_to(page, lambda e: e["tag"] == "a" and e["text"] == "Mon compte")
    page.reload()
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    context.close()
    with app.app_context():
        assert db.session.get(User, user.id).language == "fr"

    # A new browser, English by Accept-Language: French again, the person's preference.
    second = browser.new_context(locale="en-US")
    page = second.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user)
    expect(page.get_by_role("heading", name="Bonjour Aline Irakoze")).to_be_visible()
    second.close()
    assert problems == []


# --- a module quiz: radio groups, checkboxes, submit, the result -------------------------------


def test_a_quiz_is_taken_and_its_result_seen_by_keyboard(live_server, browser, app, make_user):
    """Also the offline part of tests/assessments/test_attempts_browser.py: answers given
    with the connection lost arrive when it returns, and are there when the person comes
    back (Tab then lands on the chosen answer of a group)."""
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        bank = get_catalogue().quiz(QUIZ)
        assert bank is not None
        keys = {question.id: question.answer for question in bank.questions}
        kinds = {question.id: question.type for question in bank.questions}
        options = {question.id: [option.id for option in question.options]
                   for question in bank.questions}
    wrong = next(qid for qid, kind in kinds.items() if kind == "true_false")
    given = {**keys, wrong: not keys[wrong]}  # one wrong answer, to see it marked so
    stored = {qid: list(value) if isinstance(value, tuple) else value
              for qid, value in given.items()}
    half = list(given)[:len(given) // 2]

    def answer(page, qid: str) -> None:  # type: ignore[no-untyped-def]
        field, value = f"q-{qid}", given[qid]
        tab_to(page, lambda e: e["name"] == field)  # the group's first stop
        if kinds[qid] == "multiple_choice":  # checkboxes: Tab to each, Space to tick
            for option in options[qid]:
                if focused(page)["id"] != f"{field}-{option}":
                    tab_to_id(page, f"{field}-{option}")
                if option in value:
                    page.keyboard.press("Space")
        else:  # radio buttons: the arrow keys choose
            pick(page, ("true" if value else "false") if isinstance(value, bool) else value)

    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, person, f"/assessments/{QUIZ}/quiz")
    tab_to_button(page, "Start")
    press_on(page)
    (attempt,) = support.attempts(app)
    status = page.locator("[data-save-status]")
    for qid in half:
        answer(page, qid)
    wait_for(lambda: support.answers(app, attempt.id), {qid: stored[qid] for qid in half})
    expect(status).to_have_text("Saved")

    context.set_offline(True)
    for qid in given:
        if qid not in half:
            answer(page, qid)
    expect(status).to_contain_text("Offline")
    assert set(support.answers(app, attempt.id)) == set(half)
    context.set_offline(False)
    wait_for(lambda: support.answers(app, attempt.id), stored)
    page.close()

    page = context.new_page()  # the tab closed; the person comes back
    watch_for_errors(page, problems)
    page.goto(f"{live_server}/assessments/{QUIZ}/quiz")
    first = next(iter(given))
    found = tab_to(page, lambda e: e["name"] == f"q-{first}")
    assert (found["id"], found["checked"]) == (f"q-{first}-{given[first]}", True)
    tab_to_button(page, "Submit my answers")
    press_on(page)

    expect(page.get_by_role("heading", name="Your score")).to_be_visible()
    expect(page.get_by_text("11 / 12 (92%)")).to_be_visible()
    expect(page.get_by_text("Passed", exact=True)).to_be_visible()
    expect(page.locator(f"#q-{wrong}-true").locator("..")).to_contain_text(
        "Your answer: incorrect")
    (attempt,) = support.attempts(app)
    assert (attempt.status, attempt.score, attempt.max_score, attempt.passed) == (
        AttemptStatus.SUBMITTED, 11.0, 12.0, True)
    assert support.answers(app, attempt.id) == stored
    context.close()
    assert problems == []


# --- autosave (test_autosave_journey) -------------------------------------------------------


def test_text_typed_offline_by_keyboard_arrives_when_the_connection_returns(
        live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT, name="Aline Irakoze", email="aline@example.org")
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user, f"/learn/sections/{FIRST}")
    tab_to_button(page, "Mark as done and continue")
    press_on(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(SECOND_TITLE)
    wait_for(lambda: progress(app, user), {FIRST: True, SECOND: False})

    tab_to(page, lambda e: e["tag"] == "textarea")
    full = typed_offline_is_kept_then_saved(app, user, page, context, page.keyboard.type)
    context.close()

    fresh = browser.new_context()
    page = fresh.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user, f"/learn/sections/{SECOND}")
    found = tab_to(page, lambda e: e["tag"] == "textarea")
    assert found["value"] == full
    fresh.close()
    assert problems == []


def test_without_javascript_the_plain_buttons_save_by_keyboard(live_server, browser, app,
                                                                make_user):
    user = make_user(Role.PARTICIPANT)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    keyboard.sign_in(page, live_server, user, f"/learn/sections/{SECOND}")
    tab_to(page, lambda e: e["tag"] == "textarea")
    page.keyboard.type("Written with scripts turned off.")
    tab_to_button(page, "Save my reflection")
    press_on(page)
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
    assert saved_text(app, user) == "Written with scripts turned off."

    found = tab_to(page, lambda e: e["tag"] == "textarea")
    assert found["value"] == "Written with scripts turned off."
    page.keyboard.press("Control+End")
    page.keyboard.type(" Then changed.")
    tab_to_button(page, "Save my reflection")
    press_on(page)
    expect(page.get_by_text("Your reflection is saved.")).to_be_visible()
    assert saved_text(app, user) == "Written with scripts turned off. Then changed."

    tab_to_button(page, "Mark as done and continue")
    press_on(page)
    expect(page.get_by_text("Section marked as done.")).to_be_visible()
    assert progress(app, user)[SECOND] is True
    context.close()


def test_session_ends_while_typing_and_the_keyboard_signs_in_again(live_server, browser, app,
                                                                   make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context()
    page = context.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user, f"/learn/sections/{SECOND}")
    status = page.locator("[data-save-status]")
    tab_to(page, lambda e: e["tag"] == "textarea")
    page.keyboard.type("Before the session ended.")
    expect(status).to_have_text("Saved")

    with app.app_context():  # signed out everywhere, e.g. from another device
        accounts.end_all_sessions(db.session.get(User, user.id))
        db.session.commit()
    page.keyboard.type(" Written after it ended.")
    expect(status).to_contain_text(SIGN_IN_AGAIN)
    assert saved_text(app, user) == "Before the session ended."

    # The message's link is the next stop after the text; Enter opens the sign-in page.
    tab_to(page, lambda e: e["tag"] == "a" and bool(SIGN_IN_AGAIN.search(str(e["text"]))))
    with context.expect_page() as opened:
        page.keyboard.press("Enter")
    other_tab = opened.value
    watch_for_errors(other_tab, problems)
    other_tab.wait_for_load_state()
    type_into(other_tab, "email", user.email)
    type_into(other_tab, "password", PASSWORD)
    press_on(other_tab)
    full = "Before the session ended. Written after it ended."
    wait_for(lambda: saved_text(app, user), full)
    expect(status).to_have_text("Saved")
    other_tab.close()

    # Back in the first tab the focus is on the text again (the link it was on is gone),
    # and typing goes on saving with the new session.
    assert focused(page)["tag"] == "textarea"
    page.keyboard.type(" And more.")
    wait_for(lambda: saved_text(app, user), full + " And more.")
    expect(status).to_have_text("Saved")
    context.close()
    assert problems == []


def test_two_tabs_by_keyboard_the_later_save_wins_and_the_other_tab_is_told(
        live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context()
    first = context.new_page()
    watch_for_errors(first, problems)
    keyboard.sign_in(first, live_server, user, f"/learn/sections/{SECOND}")
    second = context.new_page()
    watch_for_errors(second, problems)
    second.goto(f"{live_server}/learn/sections/{SECOND}")
    replaced = "This text was also changed in another tab or device"

    tab_to(first, lambda e: e["tag"] == "textarea")
    first.keyboard.type("Written in the first tab.")
    expect(first.locator("[data-save-status]")).to_have_text("Saved")

    tab_to(second, lambda e: e["tag"] == "textarea")
    second.keyboard.type("Written in the second tab.")
    expect(second.locator("[data-save-status]")).to_contain_text(replaced)
    wait_for(lambda: saved_text(app, user), "Written in the second tab.")

    # Headless Chromium keeps every tab focused: the focus a person gives the first tab by
    # switching back to it is dispatched by hand, as in test_autosave_journey.
    first.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(first.locator("[data-save-status]")).to_contain_text(replaced)
    still = focused(first)  # the text is left as the person sees it, where they left it
    assert (still["tag"], still["value"]) == ("textarea", "Written in the first tab.")
    with app.app_context():
        rows = db.session.execute(select(ReflectionAnswer.text, ReflectionAnswer.revision)
                                  .where(ReflectionAnswer.user_id == user.id)).all()
    assert [tuple(row) for row in rows] == [("Written in the second tab.", 2)]
    context.close()
    assert problems == []


# --- the action plan (test_plan_journey) ----------------------------------------------------


def test_an_action_is_added_and_edited_by_keyboard(live_server, browser, app, make_user):
    user = make_user(Role.PARTICIPANT)
    problems: list[str] = []
    context = browser.new_context(viewport={"width": 360, "height": 780})
    page = context.new_page()
    watch_for_errors(page, problems)
    keyboard.sign_in(page, live_server, user, f"/plan?unit={MODULE_1}")
    # The add form of the module asked for is open, its first field focused.
    assert (focused(page)["name"], focused(page)["form"]) == ("action", f"add-{MODULE_1}")
    page.keyboard.type("Hold a monthly supervision slot")
    tab_to_field(page, "function", f"add-{MODULE_1}")
    pick(page, "supportive")
    tab_to_button(page, "Add to my plan")
    press_on(page)
    expect(page.get_by_text("The action is added to your plan.")).to_be_visible()
    assert stored_plan(app) == [("Hold a monthly supervision slot", PlanStatus.PLANNED, "")]

    # The page comes back at the new action: the next Tab is in its form.
    item = page.locator("form.plan-item")
    page.keyboard.press("Tab")
    assert (focused(page)["name"], str(focused(page)["form"])[:5]) == ("action", "item-")
    tab_to_field(page, "status", "item-")
    pick(page, "started")
    tab_to_field(page, "notes", "item-")
    page.keyboard.type("First slot held on Monday")
    wait_for(lambda: stored_plan(app), [("Hold a monthly supervision slot", PlanStatus.STARTED,
                                         "First slot held on Monday")])
    expect(item.locator("[data-save-status]")).to_have_text("Saved")

    # A second tab saves; the first tab's next save replaces it and says so.
    other = context.new_page()
    watch_for_errors(other, problems)
    other.goto(f"{live_server}/plan")
    tab_to_field(other, "action", "item-")
    other.keyboard.press("Control+a")
    other.keyboard.type("Wording from tab two")
    wait_for(lambda: stored_plan(app)[0][0], "Wording from tab two")
    tab_to_field(page, "action", "item-", backwards=True)  # up from the notes
    page.keyboard.press("Control+a")
    page.keyboard.type("Wording from tab one")
    wait_for(lambda: stored_plan(app)[0][0], "Wording from tab one")
    expect(item.locator("[data-save-status]")).to_have_text(
        re.compile("also changed in another tab or device"))
    page.reload()
    expect(page.locator("form.plan-item").get_by_label("Action")).to_have_value(
        "Wording from tab one")
    context.close()
    assert problems == []


# --- a country application (test_application_journey) -----------------------------------------


def type_fields(page, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Tab to each field (in the order of the page) and type its value."""
    for element_id, value in values.items():
        type_into(page, element_id, value)


def sign_out(page, words: str) -> None:  # type: ignore[no-untyped-def]
    tab_to_button(page, words, backwards=True)  # in the header: nearer going back
    press_on(page)
    assert path(page) == "/login"


def rows_of(app: Flask, model: type, *columns: str) -> list[tuple[object, ...]]:
    with app.app_context():
        return [tuple(getattr(row, name) for name in columns)
                for row in db.session.scalars(select(model).order_by(model.id))]


def test_a_coordinator_applies_in_french_and_the_team_joins_by_keyboard(live_server, browser,
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
    keyboard.sign_in(page, live_server, coordinator, "/applications/new", skip=True)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    choose(page, "cohort", str(cohort_id))
    tab_to_id(page, "submit")
    press_on(page, skip=True)
    assert path(page).endswith("/parts/contacts")
    expect(page.locator("#focal_name")).to_have_value("Aline Ndayishimiye")
    type_fields(page, {"focal_title": "Coordinatrice du sous-groupe",
                       "focal_organisation": "UNICEF", "focal_phone": "+257 22 00 00 00",
                       "backup_name": "Éric Nkurunziza", "backup_title": "Chargé de protection",
                       "backup_organisation": "FVS-Amade", "backup_email": "eric@example.org"})
    wait_for(lambda: stored_application(app, "backup_email"), "eric@example.org")
    assert stored_application(app, "backup_name") == "Éric Nkurunziza"
    application_id = stored_application(app, "id")
    base = f"/applications/{application_id}"
    tab_to_href(page, f"{base}/parts/part1")  # the parts of the application, as links
    press_on(page, skip=True)
    choose(page, "has_cm_subgroup", "yes")
    type_into(page, "cm_subgroup_description", "Se réunit chaque mois à Bujumbura.")
    wait_for(lambda: stored_application(app, "cm_subgroup_description"),
             "Se réunit chaque mois à Bujumbura.")
    assert stored_application(app, "has_cm_subgroup") is True
    sign_out(page, "Se déconnecter")

    # Second sitting: the draft is there; the rest is written, the team nominated.
    keyboard.sign_in(page, live_server, coordinator, "/applications", skip=True)
    tab_to_href(page, base)
    press_on(page, skip=True)
    tab_to_href(page, f"{base}/parts/contacts")
    press_on(page, skip=True)
    expect(page.locator("#backup_name")).to_have_value("Éric Nkurunziza")
    tab_to_href(page, f"{base}/parts/part1")
    press_on(page, skip=True)
    expect(page.locator("#has_cm_subgroup")).to_have_value("yes")
    expect(page.locator("#cm_subgroup_description")).to_have_value(
        "Se réunit chaque mois à Bujumbura.")
    choose(page, "has_interagency_sops", "no")
    type_fields(page, {"government_role": "Le ministère coordonne le référencement.",
                       "recent_trainings": "Deux formations interagences en mars.",
                       "capacity_building": "Un programme de coaching jusqu’en décembre."})
    wait_for(lambda: stored_application(app, "capacity_building"),
             "Un programme de coaching jusqu’en décembre.")
    assert stored_application(app, "has_interagency_sops") is False

    type_into(page, "agency-name", "FVS-Amade")
    choose(page, "agency-organisation_type", "national_ngo")
    tab_to_id(page, "agency-cm_started_on")  # month, then year
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.keyboard.type("2016")
    type_fields(page, {"agency-active_cases": "420", "agency-caseworkers": "30",
                       "agency-supervisors": "6"})
    tab_to_id(page, "agency-submit")
    press_on(page)  # back at #agencies: the next Tab is in the list of organisations
    expect(page.locator("#agencies table")).to_contain_text("FVS-Amade")
    assert rows_of(app, ApplicationAgency, "name", "organisation_type", "cm_started_on",
                   "active_cases", "caseworkers", "supervisors") == [
        ("FVS-Amade", "national_ngo", date(2016, 3, 1), 420, 30, 6)]

    # Part II is sent with the form's own button, as without JavaScript.
    tab_to_href(page, f"{base}/parts/part2", backwards=True)
    press_on(page, skip=True)
    type_fields(page, {"why_join": "Les superviseurs manquent d’accompagnement.",
                       "follow_up": "Des appels mensuels du sous-groupe.",
                       "obstacles": "La rotation du personnel.",
                       "obstacle_responses": "Former deux personnes par agence."})
    tab_to(page, lambda e: e["tag"] == "button" and e["form"] == "part-form")
    press_on(page, skip=True)
    assert path(page).endswith("/team")
    assert stored_application(app, "obstacle_responses") == "Former deux personnes par agence."
    for name, email, organisation, kind, alternate in TEAM:
        type_fields(page, {"nominee-name": name, "nominee-email": email,
                           "nominee-organisation": organisation})
        choose(page, "nominee-organisation_type", kind.value)
        type_fields(page, {"nominee-title": "Superviseur·e",
                           "nominee-reason": "Supervise une équipe de travailleurs sociaux."})
        if alternate:
            tab_to_id(page, "nominee-is_alternate")
            page.keyboard.press("Space")
        tab_to_id(page, "nominee-submit")
        press_on(page)  # back at #nominees, just above the form
        expect(page.locator("#nominees")).to_contain_text(name)
    assert rows_of(app, Nominee, "name", "email", "organisation", "organisation_type",
                   "is_alternate") == [tuple(member) for member in TEAM]

    tab_to_href(page, f"{base}/parts/commitment")
    press_on(page, skip=True)
    type_into(page, "signatory_title", "Coordinatrice")
    tab_to_id(page, "signed_on")  # month, day, year
    page.keyboard.type("01152030")
    tab_to_id(page, "commitment_agreed")
    page.keyboard.press("Space")
    wait_for(lambda: (stored_application(app, "commitment_agreed"),
                      stored_application(app, "signatory_title"),
                      stored_application(app, "signed_on")),
             (True, "Coordinatrice", date(2030, 1, 15)))
    tab_to_href(page, f"{base}/submit")
    press_on(page, skip=True)
    tab_to_id(page, "submit")
    press_on(page, skip=True)
    assert path(page) == base
    assert stored_application(app, "status") == ApplicationStatus.SUBMITTED
    assert stored_application(app, "language") == "fr"
    sign_out(page, "Se déconnecter")

    # The admin scores the application and selects it into the cohort.
    keyboard.sign_in(page, live_server, admin, f"{base}/review", skip=True)
    scores = {"relevance_score": "4", "interagency_score": "5", "team_score": "4",
              "basics_score": "3"}
    for name, score in scores.items():
        choose(page, name, score)
    tab_to_id(page, "submit")
    press_on(page, skip=True)
    expect(page.locator("#relevance_score")).to_have_value("4")
    assert rows_of(app, ApplicationReview, *scores) == [(4, 5, 4, 3)]
    tab_to(page, lambda e: e["type"] == "radio" and e["name"] == "decision")  # the group
    pick(page, Decision.SELECTED.value)
    choose(page, "decision-cohort", str(cohort_id))
    type_into(page, "decision-message", "Félicitations au sous-groupe.")
    tab_to_id(page, "decision-submit")
    press_on(page, skip=True)
    expect(page.get_by_text("7 people are enrolled and invited.")).to_be_visible()

    tab_to_href(page, f"/cohorts/{cohort_id}")
    press_on(page, skip=True)
    expect(page.get_by_text("Burundi: 7 people")).to_be_visible()
    for name, *_ in TEAM:
        expect(page.get_by_role("cell", name=name, exact=True)).to_be_visible()
    with app.app_context():
        statuses = sorted(db.session.scalars(select(Enrolment.status).where(
            Enrolment.cohort_id == cohort_id)))
    assert statuses == sorted([EnrolmentStatus.NOMINATED] * 5 + [EnrolmentStatus.ALTERNATE] * 2)
    assert stored_application(app, "status") == ApplicationStatus.SELECTED
    context.close()
    assert problems == []
