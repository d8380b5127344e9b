"""Alembic on a populated database: 10,000 people and 100,000 progress rows go through a
downgrade of the latest migration and the upgrade back with every row intact.

Runs on SQLite (a fresh file) and, when the suite runs on PostgreSQL, on a fresh
PostgreSQL database created beside the test one and dropped afterwards.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.engine import Engine, make_url

from learning.migrations import alembic_config

PEOPLE = 10_000
PROGRESS_ROWS = 100_000
SECTIONS = [f"section-{number:02d}" for number in range(10)]


@pytest.fixture
def migrated_url(tmp_path: Path) -> Iterator[str]:
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{tmp_path / 'populated.db'}"
        return
    name = f"tandem_migrations_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _populate(engine: Engine) -> None:
    from learning.accounts.models import User
    from learning.courses.models import SectionProgress

    start = datetime(2030, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(insert(User.__table__), [
            {"email": f"person{n:05d}@example.org", "name": f"Personne {n} — Ngoné",
             "language": "fr" if n % 3 else "en", "role": "participant", "country_code": "BI",
             "job_title": "", "is_active": True, "session_version": 1,
             "unread_notifications": 0, "created_at": start}
            for n in range(PEOPLE)])
        ids = [row[0] for row in connection.execute(select(User.__table__.c.id))]
        rows = []
        for number in range(PROGRESS_ROWS):
            person = ids[number // len(SECTIONS)]
            opened = start + timedelta(minutes=number)
            rows.append({"user_id": person, "unit_id": "module-1-defining-supervision",
                         "section_id": SECTIONS[number % len(SECTIONS)], "content_version": "v1",
                         "opened_at": opened, "last_seen_at": opened,
                         "completed_at": opened if number % 4 else None})
        for first in range(0, len(rows), 20_000):
            connection.execute(insert(SectionProgress.__table__), rows[first:first + 20_000])


def _fingerprints(engine: Engine) -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row, per table (Alembic's own table aside)."""
    found = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            if name == "alembic_version":
                continue
            inspector = inspect(connection)
            primary = inspector.get_pk_constraint(name)["constrained_columns"] or [
                column["name"] for column in inspector.get_columns(name)]
            key = ", ".join(f'"{column}"' for column in primary)
            rows = connection.execute(text(f'SELECT * FROM "{name}" ORDER BY {key}')).all()  # noqa: S608 (names from the schema)
            found[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return found


def test_downgrade_and_upgrade_keep_every_row(migrated_url: str) -> None:
    config = alembic_config(migrated_url)
    script = ScriptDirectory.from_config(config)
    head = script.get_revision(script.get_current_head())
    command.upgrade(config, "head")
    engine = create_engine(migrated_url)
    try:
        _populate(engine)
        before = _fingerprints(engine)
        assert before["users"][0] == PEOPLE
        assert before["section_progress"][0] == PROGRESS_ROWS

        command.downgrade(config, head.down_revision)
        engine.dispose()
        middle = _fingerprints(engine)
        assert middle["users"][0] == PEOPLE
        assert middle["section_progress"] == before["section_progress"]

        command.upgrade(config, "head")
        engine.dispose()
        assert _fingerprints(engine) == before
    finally:
        engine.dispose()
