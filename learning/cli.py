"""Operator commands: ``flask --app app <group> <command>``. Each is non-interactive."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from alembic import command as alembic_command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.engine import make_url

from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.cohorts.models import Cohort
from learning.db import db
from learning.i18n.countries import is_country
from learning.migrations import alembic_config


def register_commands(app: Flask) -> None:
    for group in (db_cli, users_cli, outbox_cli, audit_cli):
        app.cli.add_command(group)
    app.cli.add_command(setup_link_command)
    app.cli.add_command(backup_command)
    from learning.assessments.cli import assessments_cli
    from learning.certificates.cli import certificates_cli
    from learning.content.cli import content_cli
    from learning.courses.cli import reminders_cli
    from learning.demo import demo_command

    app.cli.add_command(assessments_cli)
    app.cli.add_command(certificates_cli)
    app.cli.add_command(content_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(demo_command)


# --- database -------------------------------------------------------------------------------


@click.group("db", cls=AppGroup)
def db_cli() -> None:
    """Database schema (Alembic)."""


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    alembic_command.upgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)
    click.echo(f"Database is at revision {revision}.")


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (e.g. -1 or base)."""
    alembic_command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Create a migration from the difference between the models and the database."""
    alembic_command.revision(
        alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True
    )


# --- first administrator --------------------------------------------------------------------


@click.command("setup-link")
@with_appcontext
def setup_link_command() -> None:
    """Print a one-time link to create the first administrator (only while there is none)."""
    raw = accounts.setup_token_if_needed()
    if raw is None:
        click.echo("An administrator exists already: sign in at "
                   f"{current_app.config['BASE_URL']}/login")
        return
    db.session.commit()
    link = f"{current_app.config['BASE_URL']}/setup/{raw}"
    hours = int(current_app.config["SETUP_TOKEN_TTL"].total_seconds() // 3600)
    banner = "=" * 72
    click.echo(f"\n{banner}\nNo administrator yet. Open this link to create one "
               f"(single use, valid {hours} h):\n\n    {link}\n\n{banner}\n")


# --- users ----------------------------------------------------------------------------------


@click.group("users", cls=AppGroup)
def users_cli() -> None:
    """People and their roles."""


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--country", help="ISO 3166 code: the person's country (coordinators: theirs).")
@click.option("--focal-country", "focal_countries", multiple=True,
              help="For focal points: a country they support (repeat for several).")
@click.option("--cohort", "cohort_slug", help="Enrol (participant) or assign (facilitator).")
@click.option("--language", type=click.Choice(["en", "fr"]), default="en")
def users_create(email: str, name: str, role: str, country: str | None,
                 focal_countries: tuple[str, ...], cohort_slug: str | None,
                 language: str) -> None:
    """Create an account; the password is read from standard input (one line)."""
    from learning.cohorts import services as cohorts
    from learning.cohorts.models import CohortFacilitator

    password = sys.stdin.readline().rstrip("\n")
    if len(password) < 10:
        raise click.UsageError("The password (read from standard input) needs 10+ characters.")
    for code in (country, *focal_countries):
        if code and not is_country(code):
            raise click.UsageError(f"Unknown country code: {code}")
    cohort = None
    if cohort_slug:
        cohort = db.session.scalar(select(Cohort).where(Cohort.slug == cohort_slug))
        if cohort is None:
            raise click.UsageError(f"No cohort with slug {cohort_slug!r}")
    try:
        user = accounts.create_user(
            email=email, name=name, role=Role(role), language=language,
            country_code=country.upper() if country else None, password=password,
            focal_countries=[code.upper() for code in focal_countries],
        )
    except accounts.AccountError as error:
        raise click.UsageError(f"An account already uses {email}") from error
    if cohort is not None:
        if user.role == Role.FACILITATOR:
            cohort.facilitators.append(CohortFacilitator(user_id=user.id))
        else:
            cohorts.enrol(None, cohort, user)  # type: ignore[arg-type]
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@users_cli.command("list")
@click.option("--role", type=click.Choice([role.value for role in Role]))
def users_list(role: str | None) -> None:
    """List accounts: id, role, e-mail, name, country, active."""
    query = select(User).order_by(User.id)
    if role:
        query = query.where(User.role == Role(role))
    for user in db.session.scalars(query):
        state = "active" if user.is_active else "inactive"
        if not user.has_password:
            state += ", invited"
        click.echo(f"{user.id}\t{user.role.value}\t{user.email}\t{user.name}\t"
                   f"{user.country_code or '-'}\t{state}")


# --- outbox ---------------------------------------------------------------------------------


@click.group("outbox", cls=AppGroup)
def outbox_cli() -> None:
    """E-mails the platform has sent or queued."""


@outbox_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def outbox_list(limit: int) -> None:
    """Print the latest e-mails, newest first, with their bodies."""
    from learning.notifications.models import OutboundEmail

    query = select(OutboundEmail).order_by(OutboundEmail.id.desc()).limit(limit)
    for email in db.session.scalars(query):
        state = "sent" if email.sent_at else ("failed: " + email.error if email.error else "kept")
        click.echo(f"--- #{email.id} to {email.recipient} [{email.language}] ({state})")
        click.echo(f"Subject: {email.subject}\n\n{email.body}")


@click.group("audit", cls=AppGroup)
def audit_cli() -> None:
    """The audit log."""


@audit_cli.command("purge")
def audit_purge() -> None:
    """Delete audit events older than AUDIT_RETENTION_DAYS (run it daily, e.g. from cron)."""
    from learning.privacy.services import purge_audit_log

    removed = purge_audit_log()
    db.session.commit()
    click.echo(f"{removed} audit events older than "
               f"{current_app.config['AUDIT_RETENTION_DAYS']} days deleted.")


# --- backup ---------------------------------------------------------------------------------


@click.command("backup")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy (default: instance/backups/<time>.db or .dump).")
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Write a consistent copy of the database while the platform keeps running."""
    url = make_url(current_app.config["DATABASE_URL"])
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(current_app.config["INSTANCE_PATH"]) / "backups"
    if url.get_backend_name() == "sqlite":
        target = output or folder / f"tandem-{stamp}.db"
        target.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(url.database or "")
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # SQLite's online backup API: a consistent snapshot.
        copy.close()
        source.close()
    else:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise click.ClickException("pg_dump is not installed (Debian: postgresql-client).")
        target = output or folder / f"tandem-{stamp}.dump"
        target.parent.mkdir(parents=True, exist_ok=True)
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run([pg_dump, "--format=custom", f"--file={target}", plain],  # noqa: S603
                       check=True)
    click.echo(f"Backup written to {target}")
