"""The database is configured for safety: SQLite pragmas, concurrent writers, UTC times."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pytest
from sqlalchemy import select, text

from learning.accounts.models import Role, User
from learning.db import db
from tests.conftest import sign_in


def test_sqlite_runs_in_wal_mode_with_full_sync_and_a_busy_timeout(app):
    if not db.is_sqlite:
        pytest.skip("SQLite only")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_concurrent_writers_all_succeed(app, make_user):
    people = [make_user(Role.PARTICIPANT, email=f"writer{n}@example.org") for n in range(8)]

    def write(index: int) -> list[int]:
        client = app.test_client()
        assert sign_in(client, people[index]).status_code == 302
        statuses = []
        for round_number in range(10):
            response = client.post("/account", data={
                "csrf_token": client.token(), "name": f"Writer {index} {round_number}",
                "job_title": "", "language": "en"})
            statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write, range(8)))
    assert all(status == 302 for statuses in results for status in statuses)
    with app.app_context():
        names = set(db.session.scalars(select(User.name)))
    assert names == {f"Writer {index} 9" for index in range(8)}


def test_times_are_stored_and_read_as_utc(app, make_user):
    person = make_user(Role.PARTICIPANT)
    with app.app_context():
        created = db.session.get(User, person.id).created_at
    assert isinstance(created, datetime) and created.utcoffset().total_seconds() == 0
