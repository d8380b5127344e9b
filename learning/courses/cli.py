"""``flask --app app reminders send-due``: the scheduled pre-course reminders, for cron."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask import current_app
from flask.cli import AppGroup

from learning.courses import reminders
from learning.courses.catalogue import get_catalogue
from learning.db import db


@click.group("reminders", cls=AppGroup)
def reminders_cli() -> None:
    """Reminders about the pre-course steps."""


@reminders_cli.command("send-due")
@click.option("--today", "today_at", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Act as if today were this date, YYYY-MM-DD (default: today).")
def send_due(today_at: datetime | None) -> None:
    """Send the reminders due today (14, 7 and 2 days before each pre-course deadline; a
    day missed is caught up on the next run) to participants who have not done a step.
    Each person is reminded once per step and point, however often this runs.
    """
    today = today_at.date() if today_at else date.today()
    # Messages are rendered with the web app's templates and URL map, which need a request;
    # links still start with BASE_URL. Without Accept-Language, the lines below are English.
    with current_app.test_request_context():
        lines = []
        for reminder in reminders.send_due(get_catalogue(), today):
            db.session.commit()
            step_names = ", ".join(step.label() for step in reminder.steps_due)
            lines.append(f"- {reminder.cohort.name} ({reminder.schedule}): "
                         f"{reminder.recipient.name} <{reminder.recipient.email}>: {step_names}")
    if not lines:
        click.echo("Nothing to send.")
        return
    click.echo(f"{len(lines)} reminder{'s' if len(lines) != 1 else ''} sent:")
    click.echo("\n".join(lines))
