"""Reminders: the scheduled ones (once per person, step and point) and a facilitator's."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.cohorts.models import EnrolmentStatus
from learning.courses import steps
from learning.courses.cli import reminders_cli
from learning.courses.models import ReminderLog
from learning.db import db
from learning.notifications.models import Notification, OutboundEmail
from tests.courses.conftest import PC1, PC2

DEADLINE = date(2030, 2, 20)


def send_due(runner, day: date) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(reminders_cli, ["send-due", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return str(result.output)


def outbox(app) -> list[OutboundEmail]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(select(OutboundEmail).order_by(OutboundEmail.id)))


def logs(app) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = db.session.execute(select(ReminderLog.user_id, ReminderLog.step,
                                         ReminderLog.schedule).order_by(ReminderLog.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture(autouse=True)
def without_pre_evaluation(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Known columns and steps: the pre-evaluation's provider (registered by the assessments
    engine when the app starts) is left out here and tested with a stand-in below."""
    monkeypatch.setattr(steps, "_providers", {})


@pytest.fixture
def gitega(make_user, make_cohort, enrol, complete):  # type: ignore[no-untyped-def]
    facilitator = make_user(Role.FACILITATOR, country=None)
    cohort_id = make_cohort("gitega", facilitators=(facilitator,), deadline=DEADLINE)
    people = {
        "done": make_user(name="Done Both", email="done@example.org"),
        "half": make_user(name="Half Way", email="half@example.org"),
        "none": make_user(name="Not Started", email="none@example.org"),
        "french": make_user(name="Aline", email="aline@example.org", language="fr"),
    }
    enrol(cohort_id, *people.values())
    gone = make_user(name="Gone Away", email="gone@example.org")
    enrol(cohort_id, gone, status=EnrolmentStatus.WITHDRAWN)
    for unit in (PC1, PC2):
        complete(people["done"], unit)
    complete(people["half"], PC1)
    return cohort_id, facilitator, people


def test_send_due_twice_on_the_same_day_sends_nothing_the_second_time(app, runner, gitega):
    _cohort_id, _facilitator, people = gitega
    first = send_due(runner, DEADLINE - timedelta(days=7))
    assert first.startswith("3 reminders sent:")
    assert "Half Way <half@example.org>: Pre-course part 2" in first
    assert "Not Started <none@example.org>: Pre-course part 1, Pre-course part 2" in first
    assert "Done Both" not in first and "Gone Away" not in first
    assert sorted(email.recipient for email in outbox(app)) == [
        "aline@example.org", "half@example.org", "none@example.org"]
    assert sorted(logs(app)) == sorted([
        (people["half"].id, PC2, "d7"), (people["none"].id, PC1, "d7"),
        (people["none"].id, PC2, "d7"), (people["french"].id, PC1, "d7"),
        (people["french"].id, PC2, "d7")])

    second = send_due(runner, DEADLINE - timedelta(days=7))
    assert second.strip() == "Nothing to send."
    assert len(outbox(app)) == 3 and len(logs(app)) == 5


def test_schedule_points_fourteen_seven_and_two_days_before(app, runner, gitega):
    sent_on = {}
    for days_before in (20, 14, 13, 8, 6, 3, 2, 1, 0, -1):
        output = send_due(runner, DEADLINE - timedelta(days=days_before))
        sent_on[days_before] = int(output.split()[0]) if output[0].isdigit() else 0
    # A day the scheduler missed is caught up the next day it runs (7 → 6), once.
    assert sent_on == {20: 0, 14: 3, 13: 0, 8: 0, 6: 3, 3: 0, 2: 3, 1: 0, 0: 0, -1: 0}
    assert sorted({schedule for _user, _step, schedule in logs(app)}) == ["d14", "d2", "d7"]


def test_scheduled_reminder_is_in_the_recipients_language(app, runner, gitega):
    send_due(runner, DEADLINE - timedelta(days=2))
    emails = {email.recipient: email for email in outbox(app)}
    french, english = emails["aline@example.org"], emails["none@example.org"]
    assert french.language == "fr"
    assert "Bonjour Aline," in french.body
    assert "Introduction à la supervision" in french.body  # the unit's French title
    assert "20 févr. 2030" in french.body
    assert "Hello Not Started," in english.body
    assert "Introduction to supervision" in english.body
    assert "The pre-course deadline is Feb 20, 2030: 2 days left." in english.body
    assert english.body.rstrip().endswith("/learn")


def test_facilitator_sends_a_reminder_once_per_form(app, client, login, gitega):
    cohort_id, facilitator, people = gitega
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page)
    assert key, "the reminder form carries its own key"
    form = {"csrf_token": client.last_token, "step": PC2, "key": key.group(1)}
    response = client.post(f"/cohorts/{cohort_id}/reminders", data=form, follow_redirects=True)
    assert "Reminder sent to 3 people." in response.get_data(as_text=True)
    emails = outbox(app)
    assert sorted(email.recipient for email in emails) == [
        "aline@example.org", "half@example.org", "none@example.org"]
    french = next(email for email in emails if email.language == "fr")
    assert "Bonjour Aline," in french.body and "Introduction à la supervision" in french.body
    with app.app_context():
        rows = list(db.session.scalars(select(ReminderLog)))
        assert {row.step for row in rows} == {PC2}
        assert all(row.schedule.startswith("manual:") and row.sent_by_id == facilitator.id
                   for row in rows)
        assert db.session.scalar(select(func.count(Notification.id))) == 3

    # The same form sent again (a double click, a reload) sends nothing more.
    again = client.post(f"/cohorts/{cohort_id}/reminders", data=form, follow_redirects=True)
    assert "This reminder was already sent, to 3 people." in again.get_data(as_text=True)
    assert len(outbox(app)) == 3


def test_reminder_about_a_step_everyone_did_sends_nothing(app, client, login, make_user,
                                                          make_cohort, enrol, complete):
    facilitator = make_user(Role.FACILITATOR, country=None)
    cohort_id = make_cohort("all-done", facilitators=(facilitator,))
    person = make_user()
    enrol(cohort_id, person)
    complete(person, PC1)
    login(facilitator)
    # The form's key comes with the page; a post without it sends nothing.
    keyless = client.post(f"/cohorts/{cohort_id}/reminders", follow_redirects=True,
                          data={"csrf_token": client.token(), "step": PC1})
    assert "Reload the page and try again." in keyless.get_data(as_text=True)
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page)
    assert key
    done = client.post(f"/cohorts/{cohort_id}/reminders", follow_redirects=True, data={
        "csrf_token": client.last_token, "step": PC1, "key": key.group(1)})
    assert "Everyone has done this step: no reminder was sent." in done.get_data(as_text=True)
    assert outbox(app) == []


def test_pre_evaluation_is_reminded_once_its_provider_is_registered(app, runner, gitega):
    _cohort_id, _facilitator, people = gitega
    steps.register_step_provider(steps.PRE_EVALUATION, lambda user_ids: {people["half"].id})
    output = send_due(runner, DEADLINE - timedelta(days=14))
    assert output.startswith("4 reminders sent:")
    assert "Done Both <done@example.org>: Pre-evaluation\n" in output
    assert "Half Way <half@example.org>: Pre-course part 2\n" in output
    assert "Not Started <none@example.org>: Pre-evaluation, Pre-course part 1, " \
           "Pre-course part 2" in output
