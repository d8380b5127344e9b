"""A backup taken while learners keep saving restores to a database holding every save
acknowledged before the backup began.

SQLite: ``flask backup`` uses the online backup API. PostgreSQL (when the suite runs on
it): ``flask backup`` runs pg_dump, restored with pg_restore into a fresh database.
"""

from __future__ import annotations

import http.client
import os
import random
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from learning.config import PROJECT_ROOT
from tests.conftest import PASSWORD
from tests.faults.test_server_restart import EMAIL, Client, Server, Write, new_write, post

WRITERS = 4


def _flask(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args],
                          cwd=PROJECT_ROOT, env=env, input=stdin, text=True,
                          capture_output=True, check=True, timeout=120).stdout


def _fresh_postgres(server_url: str) -> tuple[str, str]:
    name = f"tandem_backup_{secrets.token_hex(4)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(server_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def backup_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], str | None]]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TANDEM_")}
    env.update(TANDEM_INSTANCE_PATH=str(tmp_path / "instance"),
               TANDEM_SECRET_KEY=secrets.token_urlsafe(32))
    server_url = os.environ.get("TEST_DATABASE_URL")
    created = []
    if server_url:
        name, url = _fresh_postgres(server_url)
        created.append(name)
        env["DATABASE_URL"] = url
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'tandem.db'}"
    _flask(env, "db", "upgrade")
    _flask(env, "users", "create", "--email", EMAIL, "--name", "Writer Participant", "--role",
           "participant", "--country", "BI", stdin=PASSWORD + "\n")
    try:
        yield env, server_url
    finally:
        for name in created:
            _drop_postgres(server_url or "", name)


def _receipt_keys_in_backup(backup: Path, env: dict[str, str], server_url: str | None,
                            ) -> set[str]:
    if server_url is None:
        with closing(sqlite3.connect(backup)) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return {row[0] for row in connection.execute("SELECT key FROM write_receipts")}
    name, url = _fresh_postgres(server_url)
    try:
        plain = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={plain}", str(backup)],
                       check=True, capture_output=True)
        engine = create_engine(url)
        with engine.connect() as connection:
            keys = {row[0] for row in connection.execute(text("SELECT key FROM write_receipts"))}
        engine.dispose()
        return keys
    finally:
        _drop_postgres(server_url, name)


def test_backup_under_write_load_holds_every_earlier_acknowledged_save(backup_env, tmp_path):
    env, server_url = backup_env
    server = Server(env, tmp_path / "gunicorn.log")
    client = Client(server.port)
    client.sign_in()
    acknowledged: list[Write] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(seed: int) -> None:
        own = random.Random(seed)
        while not stop.is_set():
            write = new_write(own)
            try:
                status, _ = post(client, write)
            except (OSError, http.client.HTTPException):
                continue
            if status == 200:
                with lock:
                    acknowledged.append(write)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(2.0)  # saves are flowing
        with lock:
            before_backup = {write.key for write in acknowledged}
        backup = tmp_path / ("backup.db" if server_url is None else "backup.dump")
        _flask(env, "backup", "--output", str(backup))
        time.sleep(0.5)  # and keep flowing after it
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=20)
        server.kill()
    assert len(before_backup) > 10
    with lock:
        assert len(acknowledged) > len(before_backup)
    restored = _receipt_keys_in_backup(backup, env, server_url)
    assert before_backup <= restored
