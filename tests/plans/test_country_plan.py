"""The country roll-out plan, edited by its team: starting it, saving sections and rows,
two people editing at the same time (no edit lost silently: the second is shown both
versions), retried saves, the version history.

The fixtures and helpers here are also used by the other ``test_country_plan_*`` modules.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.db import db
from learning.plans import country_services
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CountryPlan,
    CountryPlanActivity,
    PlanVersion,
)
from tests.conftest import BrowserLikeClient, in_french, sign_in
from tests.html_forms import read_form

JSON = {"Accept": "application/json"}


# --- fixtures and helpers (shared with the other country plan test modules) -------------------


@pytest.fixture
def plan_world(app: Flask, make_user):  # type: ignore[no-untyped-def]
    """A cohort for Burundi and the DR Congo; the Burundi team has started its plan."""
    people = {
        "alice": make_user(Role.PARTICIPANT, name="Alice Niyonzima", country="BI"),
        "bruno": make_user(Role.PARTICIPANT, name="Bruno Hakizimana", country="BI",
                           language="fr"),
        "withdrawn": make_user(Role.PARTICIPANT, country="BI"),
        "congo_member": make_user(Role.PARTICIPANT, country="CD"),
        "focal_bi": make_user(Role.FOCAL_POINT, name="Fatou Diallo", country=None,
                              focal_countries=["BI"], language="fr"),
        "focal_cd": make_user(Role.FOCAL_POINT, country=None, focal_countries=["CD"]),
        "coordinator": make_user(Role.COORDINATOR, country="BI"),
        "coordinator_cd": make_user(Role.COORDINATOR, country="CD"),
        "facilitator": make_user(Role.FACILITATOR, country=None),
        "other_facilitator": make_user(Role.FACILITATOR, country=None),
        "admin": make_user(Role.ADMIN, country=None),
    }
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code="BI"),
                                   CohortCountry(country_code="CD")],
                        facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        db.session.add(cohort)
        db.session.flush()
        for name in ("alice", "bruno", "withdrawn", "congo_member"):
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=people[name].id,
                                     status=EnrolmentStatus.WITHDRAWN if name == "withdrawn"
                                     else EnrolmentStatus.CONFIRMED))
        plan = country_services.start_plan(_attached(people["alice"]), cohort, "BI")
        congo = country_services.start_plan(_attached(people["congo_member"]), cohort, "CD")
        db.session.commit()
        ids = {"cohort": cohort.id, "plan": plan.id, "congo_plan": congo.id}
    return people, ids


def _attached(user):  # type: ignore[no-untyped-def]
    return db.session.merge(user)


def plan_url(ids: dict[str, int], suffix: str = "", country: str = "BI") -> str:
    return f"/cohorts/{ids['cohort']}/countries/{country}/plan{suffix}"


def client_for(app: Flask, user) -> BrowserLikeClient:  # type: ignore[no-untyped-def]
    """A browser of its own, signed in (two people at two computers)."""
    browser: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(browser, user).status_code == 302
    return browser


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def form_on(page: str, action: str) -> dict[str, Any]:
    """The form posting to ``action`` with its current values (page is HTML)."""
    return read_form(page, action).values()


def open_form(browser: BrowserLikeClient, page_url: str, action: str) -> dict[str, Any]:
    return form_on(browser.get(page_url).get_data(as_text=True), action)


def add_activity(browser: BrowserLikeClient, ids: dict[str, int], **fields: str):  # type: ignore[no-untyped-def]
    form = open_form(browser, plan_url(ids), plan_url(ids, "/activities"))
    form.update({"category": "training", "status": "planned", **fields})
    return browser.post(plan_url(ids, "/activities"), data=form)


def plan_row(app: Flask, ids: dict[str, int]) -> CountryPlan:
    with app.app_context():
        return db.session.get(CountryPlan, ids["plan"])


# --- starting a plan ------------------------------------------------------------------------


def test_a_team_member_starts_the_plan_once(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    with app.app_context():
        db.session.execute(CountryPlan.__table__.delete())
        db.session.commit()
    alice = client_for(app, people["alice"])
    page = text_of(alice.get(plan_url(ids)))
    assert "The country team has not started its roll-out plan yet." in page
    token = alice.last_token
    assert alice.post(plan_url(ids), data={"csrf_token": token}).status_code == 302
    bruno = client_for(app, people["bruno"])  # started it in the same minute
    assert bruno.post(plan_url(ids), data={"csrf_token": bruno.token()}).status_code == 302
    with app.app_context():
        plans = db.session.scalars(select(CountryPlan)).all()
        assert [(p.country_code, p.version, p.status.value) for p in plans] == [
            ("BI", 1, "draft")]
        assert db.session.scalar(select(func.count(PlanVersion.id))) == 1
    assert "Agencies implementing case management" in text_of(alice.get(plan_url(ids)))


# --- two people at once -----------------------------------------------------------------------


def test_two_members_edit_the_same_text_and_the_second_sees_both_versions(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    action = plan_url(ids, "/sections/context")
    alice_form = open_form(alice, plan_url(ids), action)
    bruno_form = open_form(bruno, plan_url(ids), action)
    assert alice_form["base_revision"] == bruno_form["base_revision"] == "1"

    alice_form["agencies"] = "IRC, UNICEF, Terre des hommes"
    saved = alice.post(action, data=alice_form)
    assert saved.status_code == 302 and saved.headers["Location"].endswith("#context")

    bruno_form["agencies"] = "IRC, War Child"
    bruno_form["supervisors_to_reach"] = "45"
    refused = bruno.post(action, data=bruno_form)
    assert refused.status_code == 409
    page = text_of(refused)
    # Bruno reads French.
    assert in_french("Not saved: the plan changed since you opened it") in page
    assert in_french(
        "%(names)s saved the plan after you opened it: you saw version %(seen)d, it is now at "
        "version %(current)d. Nothing of yours was saved, and nothing of theirs was "
        "overwritten.", names="Alice Niyonzima", seen=1, current=2) in " ".join(page.split())
    # Field by field: the version Bruno saw (empty), the saved one (Alice's) and his own.
    clash = re.search(r'<table class="plan-clashes">.*?</table>', page, re.S).group(0)
    assert in_french("Agencies implementing case management") in clash
    assert in_french("(empty)") in clash
    assert "IRC, UNICEF, Terre des hommes" in clash and "IRC, War Child" in clash
    assert plan_row(app, ids).agencies == "IRC, UNICEF, Terre des hommes"

    # Having seen both, Bruno combines them and saves from the version he now sees.
    again = form_on(refused.get_data(as_text=True), action)
    assert again["base_revision"] == "2" and again["agencies"] == "IRC, War Child"
    again["agencies"] = "IRC, UNICEF, Terre des hommes, War Child"
    assert bruno.post(action, data=again).status_code == 302
    plan = plan_row(app, ids)
    assert (plan.agencies, plan.supervisors_to_reach, plan.version) == (
        "IRC, UNICEF, Terre des hommes, War Child", 45, 3)
    with app.app_context():
        authors = db.session.execute(select(PlanVersion.number, PlanVersion.author_id)
                                     .where(PlanVersion.plan_id == ids["plan"])
                                     .order_by(PlanVersion.number)).all()
    assert [tuple(row) for row in authors] == [
        (1, people["alice"].id), (2, people["alice"].id), (3, people["bruno"].id)]


def test_autosave_is_answered_409_with_both_versions_and_other_sections_go_through(
        app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    context, follow_up = plan_url(ids, "/sections/context"), plan_url(ids, "/sections/follow_up")
    first = alice.post(context, data={"agencies": "IRC", "base_revision": "1",
                                      "key": "alice-autosave-1"},
                       headers={**JSON, "X-CSRFToken": alice.token()})
    assert first.status_code == 200
    assert first.json == {"ok": True, "version": 2, "revision": 2}

    # Bruno's page still says version 1: his follow-up text touches nothing Alice changed.
    other = bruno.post(follow_up, data={"call_frequency": "monthly",
                                        "follow_up_plan": "Monthly call, first Monday",
                                        "base_revision": "1", "key": "bruno-autosave-1"},
                       headers={**JSON, "X-CSRFToken": bruno.token()})
    assert other.json == {"ok": True, "version": 3, "revision": 3}

    # His context text, typed over the version he saw, would replace Alice's: refused.
    stale = bruno.post(context, data={"agencies": "War Child", "context_notes": "",
                                      "supervisors_to_reach": "", "base_revision": "1",
                                      "key": "bruno-autosave-2"},
                       headers={**JSON, "X-CSRFToken": bruno.token()})
    assert stale.status_code == 409
    assert stale.json["ok"] is False
    assert stale.json["error"] == in_french(
        "Not saved: %(names)s changed this part of the plan after you opened it. Your text is "
        "still here: press “Save” to see both versions and choose.", names="Alice Niyonzima")
    assert stale.json["conflict"]["seen_version"] == 1
    assert stale.json["conflict"]["current_version"] == 3
    assert stale.json["conflict"]["fields"] == [{
        "section": in_french("Context"), "row": "",
        "field": in_french("Agencies implementing case management"),
        "seen": in_french("(empty)"), "saved": "IRC", "yours": "War Child"}]
    plan = plan_row(app, ids)
    assert (plan.agencies, plan.follow_up_plan, plan.call_frequency.value, plan.version) == (
        "IRC", "Monthly call, first Monday", "monthly", 3)


def test_a_retried_save_returns_its_first_answer_and_makes_one_version(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    url = plan_url(ids, "/sections/context")
    save = {"agencies": "IRC", "base_revision": "1", "key": "alice-retried-1"}
    assert alice.post(url, data=save, headers={**JSON, "X-CSRFToken": alice.token()}
                      ).json["version"] == 2
    bruno.post(url, data={"agencies": "IRC and UNICEF", "base_revision": "2",
                          "key": "bruno-after-1"},
               headers={**JSON, "X-CSRFToken": bruno.token()})
    # Alice's answer was lost; her script sends the same save again after Bruno's.
    replay = alice.post(url, data=save, headers={**JSON, "X-CSRFToken": alice.token()})
    assert replay.status_code == 200 and replay.json["version"] == 2
    assert replay.json["replayed"] is True
    plan = plan_row(app, ids)
    assert (plan.agencies, plan.version) == ("IRC and UNICEF", 3)


def test_fields_left_out_of_a_save_keep_their_values(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    url = plan_url(ids, "/sections/targets")
    alice.post(url, data={"objectives": "Train supervisors of every agency",
                          "target_trainings": "4", "base_revision": "1", "key": "targets-1"},
               headers={**JSON, "X-CSRFToken": alice.token()})
    alice.post(url, data={"target_supervisors": "60", "base_revision": "2", "key": "targets-2"},
               headers={**JSON, "X-CSRFToken": alice.token()})
    plan = plan_row(app, ids)
    assert (plan.objectives, plan.target_trainings, plan.target_supervisors) == (
        "Train supervisors of every agency", 4, 60)


def test_a_save_that_changes_nothing_makes_no_version(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    form = open_form(alice, plan_url(ids), plan_url(ids, "/sections/context"))
    assert alice.post(plan_url(ids, "/sections/context"), data=form).status_code == 302
    assert plan_row(app, ids).version == 1


def test_editing_and_removing_a_row_someone_changed_or_removed(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    assert add_activity(alice, ids, title="Training in Gitega",
                        start_date="2030-04-06", end_date="2030-04-08").status_code == 302
    with app.app_context():
        activity_id = db.session.scalar(select(CountryPlanActivity.id))
    edit_url = plan_url(ids, f"/activities/{activity_id}")
    alice_edit = open_form(alice, edit_url, edit_url)
    bruno_remove = open_form(bruno, edit_url, f"{edit_url}/remove")

    alice_edit["owner_name"] = "Alice Niyonzima"
    assert alice.post(edit_url, data=alice_edit).status_code == 302
    # Bruno removes the activity he saw before Alice named its owner: he is asked first.
    refused = bruno.post(f"{edit_url}/remove", data=bruno_remove)
    assert refused.status_code == 409
    page = text_of(refused)
    assert "Alice Niyonzima" in page and in_french("Remove it anyway") in page
    with app.app_context():
        assert db.session.get(CountryPlanActivity, activity_id) is not None
    # Now that he has seen it, he removes it.
    confirmed = form_on(refused.get_data(as_text=True), f"{edit_url}/remove")
    assert bruno.post(f"{edit_url}/remove", data=confirmed).status_code == 302
    # Alice edits the removed activity from her old page: she is told, nothing is recreated.
    alice_edit["status"] = "done"
    gone = alice.post(edit_url, data=alice_edit)
    assert gone.status_code == 409
    assert "It was removed from the plan." in text_of(gone)
    # Resending the removal (a double click) is harmless.
    assert bruno.post(f"{edit_url}/remove", data=confirmed).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(CountryPlanActivity.id))) == 0


def test_an_added_row_is_added_once_when_sent_twice(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    form = open_form(alice, plan_url(ids), plan_url(ids, "/risks"))
    form.update({"challenge": "trainer_turnover",
                 "mitigation": "Two trainers per training; alternates trained too"})
    assert alice.post(plan_url(ids, "/risks"), data=form).status_code == 302
    assert alice.post(plan_url(ids, "/risks"), data=form).status_code == 302
    page = text_of(alice.get(plan_url(ids)))
    assert page.count("Two trainers per training; alternates trained too") == 1
    assert "Turnover and loss of trainers" in page


def test_activity_rules_dates_and_dependencies(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    backwards = add_activity(alice, ids, title="Training", start_date="2030-05-10",
                             end_date="2030-05-01")
    assert backwards.status_code == 400  # refused, shown again
    assert "The end date cannot be before the start date." in text_of(backwards)
    add_activity(alice, ids, title="Prepare with the coordination group",
                 category="preparation", start_date="2030-04-01", end_date="2030-04-20")
    with app.app_context():
        preparation = db.session.scalar(select(CountryPlanActivity.id))
    add_activity(alice, ids, title="First training", start_date="2030-04-15",
                 end_date="2030-04-17", depends_on=str(preparation))
    with app.app_context():
        training = db.session.scalar(select(CountryPlanActivity.id).where(
            CountryPlanActivity.id != preparation))
    page = text_of(alice.get(plan_url(ids)))
    # A schedule that ignores a dependency is pointed out.
    assert "Starts before “Prepare with the coordination group” ends." in page
    # The preparation cannot wait for the training that waits for it.
    url = plan_url(ids, f"/activities/{preparation}")
    form = open_form(alice, url, url)
    form["depends_on"] = str(training)
    loop = alice.post(url, data=form)
    assert loop.status_code == 400  # refused, shown again with the reason
    assert "These activities would wait for each other" in text_of(loop)
    with app.app_context():
        depends_on = country_services.plan_details(
            db.session.get(CountryPlan, ids["plan"])).depends_on
        assert depends_on == {preparation: (), training: (preparation,)}


def test_the_version_history_shows_who_changed_what(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    alice.post(plan_url(ids, "/sections/context"), data={
        "agencies": "IRC", "base_revision": "1", "key": "history-1"},
        headers={**JSON, "X-CSRFToken": alice.token()})
    add_activity(bruno, ids, title="Translate the modules into Kirundi",
                 category="translation", start_date="2030-04-01")
    history = text_of(alice.get(plan_url(ids, "/versions")))
    assert "Version 3" in history and "Version 2" in history and "Plan started" in history
    rows = re.findall(r"<tr>\s*<td><a[^>]*>Version (\d)</a></td>\s*<td>[^<]*</td>\s*"
                      r"<td>([^<]*)</td>\s*<td>([^<]*)</td>", history)
    assert rows == [("3", "Bruno Hakizimana", "Activities"), ("2", "Alice Niyonzima", "Context"),
                    ("1", "Alice Niyonzima", "Plan started")]
    version_two = text_of(alice.get(plan_url(ids, "/versions/2")))
    assert "Agencies implementing case management" in version_two and "IRC" in version_two
    assert "Translate the modules into Kirundi" in version_two  # changed since
    assert alice.get(plan_url(ids, "/versions/9")).status_code == 404


def test_the_plan_cannot_change_while_the_focal_point_reviews_it(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    submit = open_form(alice, plan_url(ids), plan_url(ids, "/submit"))
    assert alice.post(plan_url(ids, "/submit"), data=submit).status_code == 302
    locked = alice.post(plan_url(ids, "/sections/context"), data={
        "agencies": "IRC", "base_revision": "1", "key": "locked-1"},
        headers={**JSON, "X-CSRFToken": alice.token()})
    assert locked.status_code == 409
    assert locked.json["error"].startswith("The plan is with the focal point for review")
    page = text_of(alice.get(plan_url(ids)))
    assert "The plan is with the focal point for review." in page
    assert 'action="' + plan_url(ids, "/sections/context") not in page
    assert plan_row(app, ids).agencies == ""


def test_a_submission_from_an_old_page_shows_what_changed_first(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice, bruno = client_for(app, people["alice"]), client_for(app, people["bruno"])
    submit = open_form(alice, plan_url(ids), plan_url(ids, "/submit"))
    add_activity(bruno, ids, title="Refresher for trained supervisors", category="refresher")
    stale = alice.post(plan_url(ids, "/submit"), data=submit)
    assert stale.status_code == 409
    page = text_of(stale)
    assert "Refresher for trained supervisors" in page and "Submit version 2 for review" in page
    assert plan_row(app, ids).status.value == "draft"
    resend = form_on(stale.get_data(as_text=True), plan_url(ids, "/submit"))
    assert alice.post(plan_url(ids, "/submit"), data=resend).status_code == 302
    plan = plan_row(app, ids)
    assert (plan.status.value, plan.submitted_version) == ("submitted", 2)


def test_a_submission_after_ones_own_autosaves_goes_through(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    submit = open_form(alice, plan_url(ids), plan_url(ids, "/submit"))
    # Alice types in the autosaved texts of the page she has open, then submits from it.
    alice.post(plan_url(ids, "/sections/follow_up"), data={
        "call_frequency": "monthly", "follow_up_plan": "", "base_revision": "1",
        "key": "own-autosave-1"}, headers={**JSON, "X-CSRFToken": alice.token()})
    assert alice.post(plan_url(ids, "/submit"), data=submit).status_code == 302
    plan = plan_row(app, ids)
    assert (plan.status.value, plan.submitted_version) == ("submitted", 2)


def test_plan_overview_for_the_rollout_pages(app, plan_world):  # type: ignore[no-untyped-def]
    people, ids = plan_world
    with app.app_context():
        for title, category, status in [
                ("Training 1", ActivityCategory.TRAINING, ActivityStatus.DONE),
                ("Training 2", ActivityCategory.TRAINING, ActivityStatus.CANCELLED),
                ("Coaching", ActivityCategory.COACHING, ActivityStatus.PLANNED)]:
            db.session.add(CountryPlanActivity(plan_id=ids["plan"], title=title,
                                               category=category, status=status))
        db.session.commit()
        overview = country_services.plan_overview(ids["cohort"], "bi")
        assert overview is not None
        assert (overview.plan_id, overview.country_code, overview.status, overview.version,
                overview.trainings_planned) == (ids["plan"], "BI", "draft", 1, 1)
        assert [(a.title, a.category, a.status) for a in overview.activities] == [
            ("Training 1", "training", "done"), ("Training 2", "training", "cancelled"),
            ("Coaching", "coaching", "planned")]
        assert country_services.plan_overview(ids["cohort"], "RW") is None
