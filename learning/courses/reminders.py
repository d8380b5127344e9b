"""Reminders to participants who have not done a step yet: scheduled and manual.

Every reminder is recorded in ``ReminderLog`` (one row per person, cohort, step and
schedule point, unique). The row is written, inside a savepoint, *before* the message is
sent: a person already reminded at this point is skipped, and two runs racing each other
cannot both send (the second one's insert is refused and it sends nothing).

A person behind on several steps gets one message listing them, not one per step.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning import scope
from learning.accounts.models import User
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.content.schema import Catalogue
from learning.courses import steps
from learning.courses.models import ReminderLog
from learning.db import db
from learning.notifications.services import notify

# Days before the pre-course deadline at which the scheduled reminders go out.
SCHEDULE_DAYS = (14, 7, 2)
MESSAGE_KIND = "step_reminder"


@dataclass(frozen=True)
class SentReminder:
    cohort: Cohort
    schedule: str
    recipient: User
    steps_due: tuple[steps.Step, ...]


def schedule_point(days_left: int) -> str | None:
    """The schedule point a cohort is at: "d14" from 14 days before the deadline, "d7"
    from 7, "d2" from 2 until the deadline day; None outside that window.

    A point stays current until the next one, so a day the scheduler did not run is
    caught up the next day (still once: the log remembers who was reminded at the point).
    """
    if days_left < 0:
        return None
    reached = [days for days in SCHEDULE_DAYS if days_left <= days]
    return f"d{min(reached)}" if reached else None


def manual_schedule(now: datetime) -> str:
    return f"manual:{now.isoformat(timespec='microseconds')}"


def _participants(cohort: Cohort, viewer: User | None) -> list[User]:
    """Active accounts of the non-withdrawn participants (the viewer's scope when sent by a
    person; everyone when sent by the scheduler)."""
    if viewer is None:
        query = select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)
    else:
        query = scope.enrolments_query(viewer, cohort).with_only_columns(Enrolment.user_id)
    query = query.where(Enrolment.status != EnrolmentStatus.WITHDRAWN)
    return list(db.session.scalars(
        select(User).where(User.id.in_(query), User.is_active.is_(True)).order_by(User.id)))


def _not_done(catalogue: Catalogue, cohort_steps: Sequence[steps.Step],
              people: Sequence[User]) -> dict[int, list[steps.Step]]:
    """For each person, the steps they have not done (one query per step, not per person)."""
    ids = [person.id for person in people]
    pending: dict[int, list[steps.Step]] = {person_id: [] for person_id in ids}
    for step in cohort_steps:
        done = steps.completed_by(catalogue, step, ids)
        for person_id in ids:
            if person_id not in done:
                pending[person_id].append(step)
    return pending


def _already_sent(cohort: Cohort, schedule: str) -> set[tuple[int, str]]:
    rows = db.session.execute(select(ReminderLog.user_id, ReminderLog.step).where(
        ReminderLog.cohort_id == cohort.id, ReminderLog.schedule == schedule))
    return {(user_id, step_id) for user_id, step_id in rows}


def _link(pending: Sequence[steps.Step]) -> str:
    only = pending[0] if len(pending) == 1 else None
    if only is not None and only.unit is not None:
        path = url_for("courses.unit", unit_id=only.unit.id)
    else:
        path = url_for("courses.my_learning")
    return f"{current_app.config['BASE_URL']}{path}"


def _send(recipient: User, cohort: Cohort, pending: Sequence[steps.Step], schedule: str,
          today: date, sent_by: User | None) -> bool:
    """Record, then send, one reminder; False when another run recorded it first."""
    try:
        with db.session.begin_nested():
            db.session.add_all(
                ReminderLog(user_id=recipient.id, cohort_id=cohort.id, step=step.id,
                            schedule=schedule, sent_by_id=sent_by.id if sent_by else None)
                for step in pending)
    except IntegrityError:
        return False
    deadline = cohort.precourse_deadline
    show_deadline = (deadline is not None and deadline >= today
                     and any(step.before_deadline for step in pending))
    notify(recipient, MESSAGE_KIND, link=_link(pending), cohort=cohort, steps=list(pending),
           deadline=deadline if show_deadline else None,
           days_left=(deadline - today).days if show_deadline and deadline else None,
           course_language=recipient.language)
    return True


def send_due(catalogue: Catalogue, today: date) -> Iterator[SentReminder]:
    """Send the scheduled reminders due ``today``, one person at a time.

    Yields after each message so that the caller commits it (with its log rows) before
    the next is sent: an e-mail that went out is never left without its record.
    """
    cohort_steps = [step for step in steps.course_steps(catalogue) if step.before_deadline]
    window_end = today + timedelta(days=max(SCHEDULE_DAYS))
    cohorts = list(db.session.scalars(
        select(Cohort).where(Cohort.precourse_deadline.between(today, window_end))
        .order_by(Cohort.precourse_deadline, Cohort.id)))
    for cohort in cohorts:
        deadline = cohort.precourse_deadline
        schedule = schedule_point((deadline - today).days) if deadline else None
        if schedule is None:
            continue
        people = _participants(cohort, viewer=None)
        pending = _not_done(catalogue, cohort_steps, people)
        sent = _already_sent(cohort, schedule)
        for person in people:
            due = [step for step in pending[person.id] if (person.id, step.id) not in sent]
            if due and _send(person, cohort, due, schedule, today, sent_by=None):
                yield SentReminder(cohort, schedule, person, tuple(due))


def send_manual(catalogue: Catalogue, actor: User, cohort: Cohort, step: steps.Step,
                now: datetime) -> int:
    """A facilitator's reminder about ``step`` to everyone in the cohort who has not done
    it; returns how many people it went to."""
    people = _participants(cohort, viewer=actor)
    pending = _not_done(catalogue, [step], people)
    schedule = manual_schedule(now)
    return sum(1 for person in people
               if pending[person.id] and _send(person, cohort, [step], schedule, now.date(),
                                               sent_by=actor))
