"""A country team's page: its plan, trainings planned and delivered, reports waiting for
review, supervisors and organisations reached, checked against hand-computed figures; the
plan's planned-vs-delivered count; and the focal point's follow-up log."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from learning.db import db
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CountryPlan,
    CountryPlanActivity,
    CountryPlanStatus,
)
from learning.rollout.models import FollowUpContact, ReportStatus, Training
from learning.rollout.services import delivered_by_activity
from tests.conftest import in_french
from tests.rollout.conftest import complete_report, hidden, page


def _plan(app, cohort_id: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Burundi's plan: two trainings planned (a third cancelled) and a coaching activity."""
    with app.app_context():
        plan = CountryPlan(cohort_id=cohort_id, country_code="BI", version=3,
                           status=CountryPlanStatus.APPROVED)
        db.session.add(plan)
        db.session.flush()
        activities = {}
        for key, title, category, status in (
                ("gitega", "Training in Gitega", ActivityCategory.TRAINING, ActivityStatus.DONE),
                ("ngozi", "Training in Ngozi", ActivityCategory.TRAINING,
                 ActivityStatus.IN_PROGRESS),
                ("bururi", "Training in Bururi", ActivityCategory.TRAINING,
                 ActivityStatus.CANCELLED),
                ("coaching", "Coaching of trained supervisors", ActivityCategory.COACHING,
                 ActivityStatus.PLANNED)):
            activity = CountryPlanActivity(plan_id=plan.id, title=title, category=category,
                                           status=status, start_date=date(2030, 5, 1))
            db.session.add(activity)
            db.session.flush()
            activities[key] = activity.id
        db.session.commit()
        return activities


def _figures(text: str) -> dict[str, str]:
    return dict(re.findall(r'<dd id="([a-z-]+)">([^<]*)</dd>', text))


def test_the_team_page_counts_what_the_approved_reports_delivered(app, client, world, login,
                                                                  record_training):
    people = world.people
    activities = _plan(app, world.cohort_id)
    trainer, teammate, third = people["trainer"], people["teammate"], people["third"]
    approved = ReportStatus.APPROVED
    record_training(trainer, world.cohort_id, status=approved,
                    counts={"national_ngo_count": 8, "international_ngo_count": 4},
                    organisations=("Save the Children", "AVSI", "CARITAS GITEGA"),
                    plan_activity_id=activities["gitega"])
    record_training(trainer, world.cohort_id, status=approved, co_trainers=(teammate,),
                    counts={"national_ngo_count": 6, "government_count": 4},
                    organisations=("save  the children", "Caritas Gitéga"),
                    plan_activity_id=activities["gitega"])
    record_training(teammate, world.cohort_id, status=ReportStatus.SUBMITTED,
                    counts={"national_ngo_count": 20}, organisations=("World Vision",),
                    plan_activity_id=activities["ngozi"])
    record_training(third, world.cohort_id, counts={"national_ngo_count": 15},
                    organisations=("UNICEF",))
    record_training(third, world.cohort_id, status=ReportStatus.RETURNED,
                    counts={"national_ngo_count": 9}, organisations=("IRC",))
    record_training(people["congo_trainer"], world.cohort_id, status=approved,
                    counts={"national_ngo_count": 30}, organisations=("AVSI", "Caritas Goma"))

    login(people["focal_point"])
    shown = page(client.get(f"/cohorts/{world.cohort_id}/countries/BI/team"))
    # Delivered: the two approved trainings, of the two planned (Bururi is cancelled).
    # Supervisors: 12 + 10. Organisations: Save the Children, AVSI, Caritas Gitega (the
    # same names in other cases, spacing or accents are the same organisations).
    # Trainers who delivered: Aline (led both) and Jean (co-led one); not Paul.
    assert _figures(shown) == {
        "plan-status": "Approved (version 3)", "trainings": "2 of 2", "pending": "1",
        "supervisors": "22", "organisations": "3", "trainers": "2 of 3"}
    members = re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td><td>(\d+)</td></tr>", shown)
    assert members == [("Aline Ndayishimiye", "2", "2"), ("Jean Hakizimana", "2", "1"),
                       ("Paul Niyonzima", "2", "0")]
    assert "Eric Withdrawn" not in shown
    assert "Marie Kabila" not in shown

    assert client.get(f"/cohorts/{world.cohort_id}/countries/CD/team").status_code == 404

    assert delivered_by_activity([]) == {}
    with app.app_context():
        assert delivered_by_activity([activities["gitega"], activities["ngozi"],
                                      activities["bururi"], 999_999]) == {
            activities["gitega"]: 2, activities["ngozi"]: 0, activities["bururi"]: 0,
            999_999: 0}


def test_a_team_without_a_plan_says_so(client, world, login, record_training):
    record_training(world.people["congo_trainer"], world.cohort_id,
                    status=ReportStatus.APPROVED, counts={"government_count": 7},
                    organisations=("Division des Affaires Sociales",))
    login(world.people["other_focal_point"])
    figures = _figures(page(client.get(f"/cohorts/{world.cohort_id}/countries/CD/team")))
    assert figures["plan-status"] == in_french("Not started")
    assert figures["trainings"] == in_french("%(delivered)s (no plan yet)", delivered="1")
    assert (figures["supervisors"], figures["organisations"]) == ("7", "1")


def test_team_members_and_readers_see_the_team_page(client, world, login):
    url = f"/cohorts/{world.cohort_id}/countries/BI/team"
    for name, status in (("teammate", 200), ("coordinator", 200), ("facilitator", 200),
                         ("admin", 200), ("other_coordinator", 404),
                         ("other_facilitator", 404), ("outsider", 404),
                         ("congo_trainer", 404), ("withdrawn", 404)):
        login(world.people[name])
        assert client.get(url).status_code == status, name
        client.post("/logout", data={"csrf_token": client.token()})
    login(world.people["admin"])
    assert client.get(f"/cohorts/{world.cohort_id}/countries/FR/team").status_code == 404


def test_the_focal_point_logs_follow_up_and_the_team_reads_it(app, client, world, login):
    url = f"/cohorts/{world.cohort_id}/countries/BI/follow-up"
    login(world.people["focal_point"])
    form = page(client.get(url))
    contact = {"csrf_token": client.last_token, "key": hidden(form, "key"),
               "contact_date": "2030-06-03", "mode": "call",
               "attendees": "Aline, Jean, Paul", "notes": "Second training being prepared.",
               "agreed_actions": "Send the translated module 3 by 15 June."}
    assert client.post(url, data=contact).status_code == 302
    assert client.post(url, data=contact).status_code == 302  # sent twice: logged once
    missing = client.post(url, data={**contact, "key": "another-key-123", "attendees": ""})
    assert missing.status_code == 400  # refused, shown again
    assert "Say who took part." in page(missing)
    with app.app_context():
        rows = db.session.scalars(select(FollowUpContact)).all()
        assert [(r.country_code, r.mode.value, r.focal_point_id, r.contact_date) for r in rows] \
            == [("BI", "call", world.people["focal_point"].id, date(2030, 6, 3))]
    client.post("/logout", data={"csrf_token": client.token()})

    login(world.people["teammate"])
    log = page(client.get(url))
    assert "Send the translated module 3 by 15 June." in log
    assert "Logged by Fatou Focal" in log
    assert "Log a contact with the team" not in log


def _offered_activities(text: str) -> list[str]:
    select_html = re.search(r'<select id="plan_activity_id"[^>]*>(.*?)</select>', text).group(1)
    return re.findall(r"<option[^>]*>([^<]+)</option>", select_html)


def test_a_training_links_to_the_plan_activity_it_fulfils(app, client, world, login,
                                                          record_training):
    activities = _plan(app, world.cohort_id)
    training_id, report_id = record_training(world.people["trainer"], world.cohort_id)
    url = f"/trainings/{training_id}/edit"
    login(world.people["trainer"])
    # The plan's trainings still to deliver: not the cancelled one, not the coaching.
    assert _offered_activities(page(client.get(url))) == [
        "— aucun —", "Training in Gitega", "Training in Ngozi"]  # the trainer reads French
    saved = client.post(url, data={**complete_report(plan_activity_id=str(activities["ngozi"])),
                                   "csrf_token": client.last_token, "base_revision": "1"})
    assert saved.status_code == 302
    refused = client.post(url, data={
        **complete_report(plan_activity_id=str(activities["coaching"])),
        "csrf_token": client.token(), "base_revision": "2"})
    assert refused.status_code == 400  # refused, shown again
    with app.app_context():
        assert db.session.get(Training, training_id).plan_activity_id == activities["ngozi"]
        # The activity is cancelled later: the training stays linked and can still be saved.
        db.session.get(CountryPlanActivity, activities["ngozi"]).status = \
            ActivityStatus.CANCELLED
        db.session.commit()
    assert "Training in Ngozi" in _offered_activities(page(client.get(url)))
    again = client.post(url, data={**complete_report(plan_activity_id=str(activities["ngozi"]),
                                                     days="2"),
                                   "csrf_token": client.last_token, "base_revision": "2"})
    assert again.status_code == 302
    assert "Training in Ngozi" in page(client.get(f"/reports/{report_id}"))
