"""Who reads a participant's action plan: the facilitators of their cohort (who comment,
and the participant is told), admins (read only), and nobody else."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from learning.accounts.models import Role
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from learning.plans.models import ActionPlanItem, PlanComment, PlanFunction

UNIT = "module-2-practices-and-tools"


@pytest.fixture
def cohort_world(app, make_user):  # type: ignore[no-untyped-def]
    people = {
        "participant": make_user(Role.PARTICIPANT, name="Aline Ndayishimiye", language="fr"),
        "classmate": make_user(Role.PARTICIPANT),
        "facilitator": make_user(Role.FACILITATOR, country=None),
        "other_facilitator": make_user(Role.FACILITATOR, country=None),
        "focal_point": make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]),
        "coordinator": make_user(Role.COORDINATOR),
        "admin": make_user(Role.ADMIN, country=None),
    }
    with app.app_context():
        cohorts = {}
        for slug, facilitator in [("gitega", "facilitator"), ("ngozi", "other_facilitator")]:
            cohort = Cohort(name=f"{slug.title()} ToT", slug=slug, start_date=date(2030, 3, 2),
                            end_date=date(2030, 3, 6),
                            countries=[CohortCountry(country_code="BI")],
                            facilitators=[CohortFacilitator(user_id=people[facilitator].id)])
            db.session.add(cohort)
            db.session.flush()
            cohorts[slug] = cohort.id
        for person in ("participant", "classmate"):
            db.session.add(Enrolment(cohort_id=cohorts["gitega"], user_id=people[person].id,
                                     status=EnrolmentStatus.CONFIRMED))
        item = ActionPlanItem(user_id=people["participant"].id, client_key="fixture-item-1",
                              unit_id=UNIT, function=PlanFunction.ADMINISTRATIVE,
                              action="Use the supervision record after every session")
        db.session.add(item)
        db.session.commit()
        ids = {"cohort": cohorts["gitega"], "other_cohort": cohorts["ngozi"],
               "participant": people["participant"].id, "item": item.id}
    return people, ids


def _plan_url(ids: dict[str, int], cohort: str = "cohort") -> str:
    return f"/cohorts/{ids[cohort]}/participants/{ids['participant']}/plan"


def _key(page: str, scope: str) -> str:
    return re.search(rf'id="comment-{scope}-key" name="key" type="hidden" value="([^"]+)"',
                     page).group(1)


def test_the_facilitator_reads_and_comments_and_the_participant_is_told(app, client,
                                                                        cohort_world, login):
    people, ids = cohort_world
    login(people["facilitator"])
    page = html.unescape(client.get(_plan_url(ids)).get_data(as_text=True))
    assert "Aline Ndayishimiye" in page
    assert "Use the supervision record after every session" in page
    form = {"csrf_token": client.last_token, "item_id": str(ids["item"]),
            "key": _key(page, str(ids["item"])),
            "body": "Good idea: which record will you use first?"}
    response = client.post(f"{_plan_url(ids)}/comments", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#item-{ids['item']}")
    client.post(f"{_plan_url(ids)}/comments", data=form)  # sent twice: stored once
    general = {"csrf_token": client.last_token, "key": _key(page, "plan"),
               "body": "A clear plan overall."}
    assert client.post(f"{_plan_url(ids)}/comments", data=general).status_code == 302

    with app.app_context():
        comments = db.session.scalars(select(PlanComment).order_by(PlanComment.id)).all()
        assert [(c.item_id, c.author_id, c.owner_id) for c in comments] == [
            (ids["item"], people["facilitator"].id, ids["participant"]),
            (None, people["facilitator"].id, ids["participant"])]
        notices = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [n.user_id for n in notices] == [ids["participant"]] * 2
        assert notices[0].link.endswith(f"/plan#item-{ids['item']}")
        emails = db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)).all()
        assert [e.language for e in emails] == ["fr", "fr"]
        # Rendered in the participant's language (French), not the facilitator's.
        assert emails[0].body.startswith("Bonjour Aline Ndayishimiye,")
        assert "Good idea: which record will you use first?" in emails[0].body
        assert "Use the supervision record after every session" in emails[0].body

    client.post("/logout", data={"csrf_token": client.token()})
    login(people["participant"])
    own = html.unescape(client.get("/plan").get_data(as_text=True))
    assert "Good idea: which record will you use first?" in own
    assert "A clear plan overall." in own
    assert people["facilitator"].name in own


def test_a_comment_needs_text(client, cohort_world, login):
    people, ids = cohort_world
    login(people["facilitator"])
    page = html.unescape(client.get(_plan_url(ids)).get_data(as_text=True))
    response = client.post(f"{_plan_url(ids)}/comments", data={
        "csrf_token": client.last_token, "key": _key(page, "plan"), "body": "  "})
    assert response.status_code == 400  # refused, shown again
    assert "Write your comment." in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("who", ["other_facilitator", "focal_point", "coordinator", "classmate",
                                 "participant"])
def test_nobody_else_finds_the_plan(client, cohort_world, login, who):  # type: ignore[no-untyped-def]
    people, ids = cohort_world
    login(people[who])
    assert client.get(_plan_url(ids)).status_code == 404
    response = client.post(f"{_plan_url(ids)}/comments", data={
        "csrf_token": client.token(), "key": "outsider-comment", "body": "Hello"})
    assert response.status_code == 404


def test_the_plan_is_not_found_through_another_cohort_or_after_withdrawal(app, client,
                                                                          cohort_world, login):
    people, ids = cohort_world
    login(people["other_facilitator"])
    assert client.get(_plan_url(ids, "other_cohort")).status_code == 404
    client.post("/logout", data={"csrf_token": client.token()})
    login(people["facilitator"])
    assert client.get(_plan_url(ids)).status_code == 200
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(
            Enrolment.user_id == ids["participant"]))
        enrolment.status = EnrolmentStatus.WITHDRAWN
        db.session.commit()
    assert client.get(_plan_url(ids)).status_code == 404


def test_a_comment_on_someone_elses_item_is_refused(app, client, cohort_world, login):
    people, ids = cohort_world
    with app.app_context():
        stranger_item = ActionPlanItem(user_id=people["classmate"].id, client_key="classmate-1",
                                       unit_id=UNIT, function=PlanFunction.SUPPORTIVE,
                                       action="Classmate's action")
        db.session.add(stranger_item)
        db.session.commit()
        stranger_item_id = stranger_item.id
    login(people["facilitator"])
    response = client.post(f"{_plan_url(ids)}/comments", data={
        "csrf_token": client.token(), "key": "wrong-item-comment", "body": "Hello",
        "item_id": str(stranger_item_id)})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(PlanComment)).all() == []


def test_admins_read_but_do_not_comment(app, client, cohort_world, login):
    people, ids = cohort_world
    login(people["admin"])
    page = client.get(_plan_url(ids)).get_data(as_text=True)
    assert "Use the supervision record after every session" in page
    assert "/comments" not in page
    response = client.post(f"{_plan_url(ids)}/comments", data={
        "csrf_token": client.token(), "key": "admin-comment-1", "body": "Hello"})
    assert response.status_code == 404
