"""Who sees and reviews a country plan, and the review itself: the team submits, the
country's focal point comments per section and returns or approves it, each person is told
in their own language, and the team keeps the approved plan up to date."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from learning.plans.country_models import (
    ActivityCategory,
    Challenge,
    CountryPlan,
    CountryPlanActivity,
    PlanRisk,
)
from tests.conftest import in_french
from tests.plans.test_country_plan import (  # noqa: F401 - plan_world is a fixture
    add_activity,
    client_for,
    form_on,
    open_form,
    plan_url,
    plan_world,
    text_of,
)

JSON = {"Accept": "application/json"}


def _rows(app, ids):  # type: ignore[no-untyped-def]
    """One activity and one risk in each country's plan."""
    with app.app_context():
        made = {}
        for plan in ("plan", "congo_plan"):
            activity = CountryPlanActivity(plan_id=ids[plan], title=f"Training ({plan})",
                                           category=ActivityCategory.TRAINING)
            risk = PlanRisk(plan_id=ids[plan], challenge=Challenge.TIME_AND_BUDGET,
                            mitigation="Plan early")
            db.session.add_all([activity, risk])
            db.session.flush()
            made[plan] = (activity.id, risk.id)
        db.session.commit()
    return made


READ_ONLY = ["", "/versions", "/versions/1", "/print", ".pdf", ".xlsx"]


@pytest.mark.parametrize("who", ["alice", "focal_bi", "coordinator", "facilitator", "admin"])
def test_those_in_scope_read_the_plan(app, plan_world, who):  # noqa: F811
    people, ids = plan_world
    browser = client_for(app, people[who])
    for suffix in READ_ONLY:
        assert browser.get(plan_url(ids, suffix)).status_code == 200, suffix
    listing = text_of(browser.get("/country-plans"))
    assert f'href="{plan_url(ids)}"' in listing


@pytest.mark.parametrize("who", ["focal_cd", "coordinator_cd", "congo_member", "withdrawn",
                                 "other_facilitator"])
def test_anyone_else_does_not_find_the_plan_nor_its_rows(app, plan_world, who):  # noqa: F811
    people, ids = plan_world
    rows = _rows(app, ids)
    activity, risk = rows["plan"]
    browser = client_for(app, people[who])
    token = browser.token()
    for suffix in [*READ_ONLY, "/review", f"/activities/{activity}", f"/risks/{risk}"]:
        assert browser.get(plan_url(ids, suffix)).status_code == 404, suffix
    for suffix in ["", "/sections/context", "/activities", f"/activities/{activity}/remove",
                   "/budget", "/risks", f"/risks/{risk}", "/submit", "/review"]:
        response = browser.post(plan_url(ids, suffix), data={
            "csrf_token": token, "base_revision": "1", "key": "outsider-key-1",
            "agencies": "Outsider", "decision": "approve"})
        assert response.status_code == 404, suffix
    assert f'href="{plan_url(ids)}"' not in text_of(browser.get("/country-plans"))
    with app.app_context():
        assert db.session.get(CountryPlan, ids["plan"]).agencies == ""


def test_guessing_another_countrys_row_ids_finds_nothing(app, plan_world):  # noqa: F811
    people, ids = plan_world
    rows = _rows(app, ids)
    burundi_activity, burundi_risk = rows["plan"]
    congo = client_for(app, people["congo_member"])
    own = plan_url(ids, country="CD")
    assert congo.get(own).status_code == 200
    # Burundi's rows through the Congo plan's URLs: not found, and not changed.
    for suffix in (f"/activities/{burundi_activity}", f"/risks/{burundi_risk}"):
        assert congo.get(f"{own}{suffix}").status_code == 404
        refused = congo.post(f"{own}{suffix}/remove", data={"csrf_token": congo.token(),
                                                            "base_revision": "1"})
        assert refused.status_code == 404
    with app.app_context():
        assert db.session.get(CountryPlanActivity, burundi_activity) is not None
        assert db.session.get(PlanRisk, burundi_risk) is not None
    # A country the cohort does not cover, or not a country at all.
    assert congo.get(plan_url(ids, country="RW")).status_code == 404
    assert congo.get(plan_url(ids, country="B1")).status_code == 404


@pytest.mark.parametrize("who", ["focal_bi", "coordinator", "facilitator"])
def test_readers_do_not_edit(app, plan_world, who):  # noqa: F811
    people, ids = plan_world
    activity, _risk = _rows(app, ids)["plan"]
    browser = client_for(app, people[who])
    page = text_of(browser.get(plan_url(ids)))
    assert "Add an activity" not in page and "data-autosave" not in page
    assert browser.get(plan_url(ids, f"/activities/{activity}")).status_code == 404
    response = browser.post(plan_url(ids, "/sections/context"), data={
        "csrf_token": browser.token(), "base_revision": "1", "agencies": "Reader"})
    assert response.status_code == 404
    review_status = browser.get(plan_url(ids, "/review")).status_code
    assert review_status == (200 if who == "focal_bi" else 404)


def _emails(app, kind: str):  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(
            select(Notification.user_id, OutboundEmail.language, OutboundEmail.subject,
                   OutboundEmail.body)
            .join(OutboundEmail, (OutboundEmail.user_id == Notification.user_id)
                  & (OutboundEmail.subject == Notification.subject))
            .where(Notification.kind == kind).order_by(Notification.id)).all()
        return [tuple(row) for row in rows]


def test_submit_return_resubmit_approve_with_everyone_told_in_their_language(app, plan_world):  # noqa: F811
    people, ids = plan_world
    alice, focal = client_for(app, people["alice"]), client_for(app, people["focal_bi"])
    add_activity(alice, ids, title="Training in Gitega", start_date="2030-04-06")
    submit = open_form(alice, plan_url(ids), plan_url(ids, "/submit"))
    submit["message"] = "Our first draft, made on the last day of the ToT."
    assert alice.post(plan_url(ids, "/submit"), data=submit).status_code == 302

    [(reviewer, language, _subject, body)] = _emails(app, "country_plan_submitted")
    assert (reviewer, language) == (people["focal_bi"].id, "fr")
    assert body.startswith("Bonjour Fatou Diallo,")  # the focal point reads French
    assert "Our first draft, made on the last day of the ToT." in body
    assert body.rstrip().endswith(plan_url(ids, "/review"))

    # Returning needs a comment; the comment goes with its section.
    review = open_form(focal, plan_url(ids, "/review"), plan_url(ids, "/review"))
    empty = focal.post(plan_url(ids, "/review"), data={**review, "decision": "return"})
    assert empty.status_code == 200
    assert in_french("Write at least one comment: say what the team should change.") \
        in text_of(empty)  # the focal point reads French
    review.update({"decision": "return",
                   "comment_budget": "Who pays for the venue? Mark it requested or a gap."})
    assert focal.post(plan_url(ids, "/review"), data=review).status_code == 302
    with app.app_context():
        assert db.session.get(CountryPlan, ids["plan"]).status.value == "returned"
    told = _emails(app, "country_plan_returned")
    assert sorted((user, language) for user, language, _s, _b in told) == sorted(
        [(people["alice"].id, "en"), (people["bruno"].id, "fr")])
    by_user = {user: body for user, _language, _subject, body in told}
    assert by_user[people["alice"].id].startswith("Hello Alice Niyonzima,")
    assert by_user[people["bruno"].id].startswith("Bonjour Bruno Hakizimana,")
    assert "Who pays for the venue? Mark it requested or a gap." in by_user[people["alice"].id]
    assert "Budget:" in by_user[people["alice"].id]
    assert people["withdrawn"].id not in by_user

    page = text_of(alice.get(plan_url(ids)))
    budget = page[page.index('id="budget"'):page.index('id="risks"')]
    assert "Who pays for the venue? Mark it requested or a gap." in budget
    assert "The focal point returned the plan for changes" in page

    # The team changes the plan and sends it again; the focal point sees what changed.
    add_activity(alice, ids, title="Coaching visits", category="coaching")
    submit = open_form(alice, plan_url(ids), plan_url(ids, "/submit"))
    assert alice.post(plan_url(ids, "/submit"), data=submit).status_code == 302
    review_page = text_of(focal.get(plan_url(ids, "/review")))
    assert in_french("%(num)d change since the version you last reviewed (%(version)d)",
                     "%(num)d changes since the version you last reviewed (%(version)d)",
                     1, version=2) in review_page
    review = form_on(focal.get(plan_url(ids, "/review")).get_data(as_text=True),
                     plan_url(ids, "/review"))
    review.update({"decision": "approve", "general": "A realistic plan."})
    assert focal.post(plan_url(ids, "/review"), data=review).status_code == 302
    with app.app_context():
        plan = db.session.get(CountryPlan, ids["plan"])
        assert (plan.status.value, plan.approved_version, plan.version) == ("approved", 3, 3)
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("country_plan.%")).order_by(AuditEvent.id)).all()
    assert [action for action in actions if action != "country_plan.created"] == [
        "country_plan.submitted", "country_plan.returned", "country_plan.submitted",
        "country_plan.approved"]
    approved = {user: (language, body) for user, language, _s, body
                in _emails(app, "country_plan_approved")}
    assert approved[people["bruno"].id][0] == "fr"
    assert "A realistic plan." in approved[people["alice"].id][1]

    # After approval the team keeps the plan up to date: it stays approved, the change shows,
    # and the updated plan can be sent for review again.
    alice.post(plan_url(ids, "/sections/follow_up"), data={
        "call_frequency": "monthly", "follow_up_plan": "", "base_revision": "3",
        "key": "after-approval-1"}, headers={**JSON, "X-CSRFToken": alice.token()})
    page = text_of(alice.get(plan_url(ids)))
    assert "1 change since the approved version 3" in page
    assert "Submit the plan for review" in page
    with app.app_context():
        assert db.session.get(CountryPlan, ids["plan"]).status.value == "approved"


def test_an_approved_plan_without_changes_is_not_submitted_again(app, plan_world):  # noqa: F811
    people, ids = plan_world
    with app.app_context():
        plan = db.session.get(CountryPlan, ids["plan"])
        plan.status, plan.approved_version = plan.status.APPROVED, 1
        db.session.commit()
    alice = client_for(app, people["alice"])
    assert 'action="' + plan_url(ids, "/submit") not in alice.get(plan_url(ids)).get_data(
        as_text=True)
    response = alice.post(plan_url(ids, "/submit"), data={
        "csrf_token": alice.token(), "base_revision": "1", "key": "resubmit-unchanged"})
    assert response.status_code == 302
    assert "nothing new to review" in text_of(alice.get(plan_url(ids)))


def test_a_comment_alone_keeps_the_status_and_tells_the_team(app, plan_world):  # noqa: F811
    people, ids = plan_world
    focal = client_for(app, people["focal_bi"])
    page = focal.get(plan_url(ids, "/review")).get_data(as_text=True)
    # A draft can be commented on, not approved or returned.
    assert 'value="comment"' in page and 'value="approve"' not in page
    review = form_on(page, plan_url(ids, "/review"))
    review.update({"decision": "comment",
                   "comment_follow_up": "Shall we set the monthly call on the first Monday?"})
    assert focal.post(plan_url(ids, "/review"), data=review).status_code == 302
    refused = focal.post(plan_url(ids, "/review"), data={**review, "decision": "approve",
                                                          "key": "approve-a-draft"})
    assert refused.status_code == 400  # refused: the choice is not offered
    with app.app_context():
        assert db.session.get(CountryPlan, ids["plan"]).status.value == "draft"
    assert len(_emails(app, "country_plan_commented")) == 2
    page = text_of(client_for(app, people["bruno"]).get(plan_url(ids)))
    follow_up = page[page.index('id="follow_up"'):]
    assert "Shall we set the monthly call on the first Monday?" in follow_up
