"""``flask --app app assessments finish-expired``: close timed attempts nobody came back to."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from learning.assessments import services
from learning.courses.catalogue import get_catalogue
from learning.db import unit_of_work, utcnow


@click.group("assessments", cls=AppGroup)
def assessments_cli() -> None:
    """Quizzes, tests and questionnaires."""


@assessments_cli.command("finish-expired")
def finish_expired() -> None:
    """Submit every attempt whose time limit has passed, from the answers saved in time,
    so results do not wait for the person to come back. Safe to run as often as you like
    (e.g. every five minutes from cron); an attempt is never finished twice."""
    with unit_of_work():
        count = services.finish_expired(get_catalogue(), utcnow())
    click.echo(f"Finished {count} attempt(s) whose time was up.")
