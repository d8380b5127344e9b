"""Kill the production server (master and workers, SIGKILL) again and again while a
participant's saves are in flight, each time at a random moment, and start it again. After
each restart the client first resends every save that got no answer, as the autosave queue
does, then keeps saving. In the end every acknowledged save is there with the answer it got,
every resent one was applied once, nothing is duplicated, and the file passed its integrity
check after every kill.

This is about the embedded SQLite default (WAL, synchronous=FULL, one transaction per
write with its receipt), so it runs against a file migrated with ``flask db upgrade`` and
is skipped when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from learning.config import PROJECT_ROOT
from tests.conftest import PASSWORD

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="SQLite (the embedded default) only")

EMAIL = "writer@example.org"
REFLECTIONS = ("pc1-r-case-study-supervisor", "m1-r-timeline", "m3-r-feedback-memory")
SECTIONS = ("pc1-welcome", "pc1-six-steps", "pc2-why-supervision", "m1-introduction")
WRITERS = 4
ROUNDS = 4  # kills, each at a random moment while the writers save
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Client:
    """http.client with a cookie jar: one connection per request, like a phone browser."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                ) -> tuple[int, bytes]:
        # list() copies the jar in one step: writer threads share it.
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in list(self.cookies.items()))}
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/json", "X-CSRFToken": self.csrf_token})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self) -> None:
        status, page = self.request("GET", "/login")
        match = CSRF_INPUT.search(page.decode())
        assert status == 200 and match
        self.csrf_token = match.group(1)
        status, _ = self.request("POST", "/login", {"email": EMAIL, "password": PASSWORD,
                                                    "csrf_token": self.csrf_token})
        assert status == 302, "sign-in failed"
        status, data = self.request("GET", "/session/token")
        assert status == 200
        self.csrf_token = json.loads(data)["csrf_token"]


@dataclass
class Write:
    path: str
    form: dict[str, str]
    status: int | None = None  # None: no answer (the server died with the request in flight)
    result: dict | None = None

    @property
    def key(self) -> str:
        return self.form["key"]


def new_write(rng: random.Random) -> Write:
    key = secrets.token_hex(16)
    if rng.random() < 0.6:
        # The text starts with its key, so the stored text names the write that produced it.
        text = f"{key} " + "I would ask the caseworker what worried her most. " * rng.randint(1, 40)
        return Write(f"/learn/reflections/{rng.choice(REFLECTIONS)}", {"key": key, "text": text})
    event = rng.choice(("opened", "completed"))
    return Write(f"/learn/sections/{rng.choice(SECTIONS)}/progress", {"key": key, "event": event})


def post(client: Client, write: Write) -> tuple[int, dict]:
    status, data = client.request("POST", write.path, write.form)
    return status, json.loads(data)


class Server:
    """gunicorn as `make run` starts it, in its own process group so it can be killed whole."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
                 "--workers", "2", "app:app"],
                cwd=PROJECT_ROOT, env=env, start_new_session=True,
                stdout=output, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while not self._healthy():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                pytest.fail(f"gunicorn did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        try:
            return Client(self.port).request("GET", "/healthz")[0] == 200
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once: no shutdown code runs."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(self.process.pid, 0)
            except ProcessLookupError:
                return
            if self._only_zombies():
                return
            time.sleep(0.05)
        pytest.fail("gunicorn workers survived SIGKILL")

    def _only_zombies(self) -> bool:
        """Whether every process left in the group has exited (its files closed, its locks
        released) and only waits for init to reap it, which can take seconds in a container.
        """
        proc = Path("/proc")
        if not (proc / "self" / "stat").exists():
            return False  # no /proc: wait until the group is gone
        for stat in proc.glob("[0-9]*/stat"):
            try:
                # "pid (name) state ppid pgrp ...": the name may hold spaces and brackets.
                state, _ppid, group = stat.read_text().rsplit(")", 1)[1].split()[:3]
            except (OSError, IndexError, ValueError):
                continue  # the process ended while being read
            if int(group) == self.process.pid and state != "Z":
                return False
        return True


def flask_command(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=PROJECT_ROOT,
                   env=env, input=stdin, text=True, capture_output=True, check=True, timeout=60)


@pytest.fixture
def production_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("TANDEM_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'tandem.db'}",
               TANDEM_INSTANCE_PATH=str(tmp_path / "instance"),
               TANDEM_SECRET_KEY=secrets.token_urlsafe(32))
    flask_command(env, "db", "upgrade")
    flask_command(env, "users", "create", "--email", EMAIL, "--name", "Writer Participant",
                  "--role", "participant", "--country", "BI", stdin=PASSWORD + "\n")
    yield env


def integrity(database: Path) -> str:
    with closing(sqlite3.connect(database)) as connection:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])


def saves_until_killed(client: Client, server: Server, rng: random.Random,
                       log: Path) -> list[Write]:
    """Writers save until SIGKILL comes at a random moment; returns every write they sent."""
    writes: list[Write] = []
    acknowledged = threading.Semaphore(0)

    def writer(seed: float) -> None:
        own = random.Random(seed)
        while True:
            write = new_write(own)
            writes.append(write)
            try:
                write.status, write.result = post(client, write)
            except (OSError, http.client.HTTPException):
                return  # the server is gone; this write's fate is unknown to the client
            if write.status == 200:
                acknowledged.release()

    threads = [threading.Thread(target=writer, args=(rng.random(),)) for _ in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for _ in range(10):  # some saves are through before the random moment comes
            assert acknowledged.acquire(timeout=15), log.read_text()[-2000:]
        time.sleep(rng.uniform(0.05, 1.0))
    finally:
        server.kill()
    for thread in threads:
        thread.join(timeout=20)
    statuses = {write.status for write in writes}
    assert statuses <= {200, None}, f"unexpected answers: {statuses}"
    return writes


def resend(client: Client, write: Write) -> bool:
    """The autosave queue sends a write that got no answer again, same key and body;
    returns whether the server had committed it before it died."""
    status, result = post(client, write)
    assert status == 200, (write.path, status, result)
    # A receipt holds the first answer; only the answer to a repeat carries the flag.
    write.status, write.result = status, {k: v for k, v in result.items() if k != "replayed"}
    return bool(result.get("replayed"))


def test_kill_9_again_and_again_during_saves_loses_and_duplicates_nothing(production_env,
                                                                           tmp_path):
    database = tmp_path / "tandem.db"
    log = tmp_path / "gunicorn.log"
    rng = random.Random()
    writes: list[Write] = []
    unanswered: list[Write] = []  # the autosave queue: sent, never answered
    retried: list[Write] = []  # sent again after the kill took their answer away
    committed_before_kill = 0  # of those, the ones whose resend found their receipt
    started = time.monotonic()
    client: Client | None = None

    for round_number in range(ROUNDS + 1):
        server = Server(production_env, log)
        if client is None:
            client = Client(server.port)
            client.sign_in()  # the session cookie outlives the restarts, as in a browser
        client.port = server.port
        try:
            # First what the last kill left unanswered, as the queue does on reconnecting:
            # each is applied once, whether or not it was committed before the kill.
            queue, unanswered = unanswered, []
            for write in queue:
                committed_before_kill += resend(client, write)
            retried += queue
            # A resent acknowledged save stores nothing and answers with its first result
            # (a sample keeps the test short; every receipt is compared at the end).
            acknowledged = [write for write in writes if write.status == 200]
            for write in rng.sample(acknowledged, min(len(acknowledged), 20)):
                assert post(client, write) == (200, {**(write.result or {}), "replayed": True})
            if round_number == ROUNDS:
                break
            sent = saves_until_killed(client, server, rng, log)
            writes += sent
            unanswered = [write for write in sent if write.status is None]
        finally:
            server.kill()
        assert integrity(database) == "ok", f"after kill {round_number + 1}"
    assert integrity(database) == "ok"

    assert {write.status for write in writes} == {200}  # the queue is empty

    with closing(sqlite3.connect(database)) as connection:
        receipts = {key: (kind, json.loads(result)) for key, kind, result in connection.execute(
            "SELECT key, kind, result FROM write_receipts")}
        receipt_rows = connection.execute("SELECT count(*) FROM write_receipts").fetchone()[0]
        answers = connection.execute(
            "SELECT reflection_id, text, revision FROM reflection_answers").fetchall()
        completed = {section for section, done in connection.execute(
            "SELECT section_id, completed_at IS NOT NULL FROM section_progress") if done}
        progress_rows = connection.execute("SELECT count(*) FROM section_progress").fetchone()[0]

    # One receipt per write: none lost, none applied twice.
    assert receipt_rows == len(receipts) == len(writes)
    for write in writes:
        assert receipts[write.key][1] == write.result, write.key
    for write in writes:
        if "/progress" in write.path and write.form["event"] == "completed":
            assert write.path.split("/")[3] in completed
    assert progress_rows == len({write.path for write in writes if "/progress" in write.path})

    assert len(answers) == len({write.path for write in writes if "/reflections/" in write.path})
    for reflection_id, text, revision in answers:
        saves = [result for kind, result in receipts.values()
                 if kind == "reflection" and result["reflection"] == reflection_id]
        # Each applied save bumped the revision once: no save was applied twice or lost.
        assert sorted(save["revision"] for save in saves) == list(range(1, revision + 1))
        # The stored text is the one the last applied save wrote, committed with its receipt.
        assert receipts[text.split(" ", 1)[0]][1]["revision"] == revision
    print(f"{ROUNDS} kills, {len(writes)} writes, {len(writes) - len(retried)} acknowledged "
          f"at once, {len(retried)} resent after a lost answer ({committed_before_kill} of "
          f"them committed before the kill), {time.monotonic() - started:.1f} s")
