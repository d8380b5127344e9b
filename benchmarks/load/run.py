"""Load test: simulated learners against the production server, on loopback, bounded.

Serves Tandem the way ``make run`` does (gunicorn, two sync workers) on a fresh database
(SQLite file, or a throwaway PostgreSQL database), creates the learners, then runs
three measurements and prints their figures:

1. ``learners``: N learners (default 50) sign in, then for D seconds (default 300) each
   reads sections, autosaves a reflection every 10 s (as the page's script does) and now
   and then takes the module 1 quiz (start, autosave each answer, submit). Reported:
   requests/s, p50/p95/p99 per endpoint, errors (anything but 2xx/3xx and deliberate
   429s), and the count check "rows saved = saves acknowledged" read from the database.
2. ``writers`` (SQLite only): 16 writers × 200 autosaves each, as fast as they can; no
   answer may be a 5xx ("database is locked" must never reach a client).
3. ``oversize``: a 10 MB request body is refused with 413 within a second.

    .venv/bin/python benchmarks/load/run.py [--database sqlite|postgresql] \
        [--learners 50] [--duration 300]

Goals (issue 9): no errors but deliberate 429s; autosave p95 under 300 ms on both
databases. The client runs on the same two-core machine as the server, so the figures
are pessimistic.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "load-test-password-1"  # noqa: S105 (a throwaway account on a throwaway database)
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPT_FORM = re.compile(r'/assessments/attempts/(\d+)/answers')
SECTIONS = ("pc1-welcome", "pc1-six-steps", "pc2-why-supervision", "m1-introduction")
REFLECTIONS = ("pc1-r-case-study-supervisor", "m1-r-timeline", "m3-r-feedback-memory")
QUIZ = "quiz-module-1"
AUTOSAVE_EVERY = 10.0

SETUP_SCRIPT = """
import sys
from datetime import date
from learning import create_app
from learning.accounts.models import Role, User
from learning.accounts.passwords import hash_password
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.db import db

app = create_app()
with app.app_context():
    password_hash = hash_password(sys.argv[2])
    cohort = Cohort(name="Load cohort", slug="load", start_date=date(2030, 1, 1),
                    end_date=date(2030, 1, 5), countries=[CohortCountry(country_code="BI")])
    db.session.add(cohort)
    for number in range(int(sys.argv[1])):
        user = User(email=f"learner{number:03d}@load.example", name=f"Learner {number}",
                    password_hash=password_hash, role=Role.PARTICIPANT, country_code="BI")
        db.session.add(user)
        db.session.flush()
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=user.id,
                                 status=EnrolmentStatus.CONFIRMED))
    db.session.commit()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, dict[int, int]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    acknowledged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, seconds: float, status: int) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            self.statuses[name][status] += 1


class Client:
    """One learner's browser: a cookie jar and one connection per request."""

    def __init__(self, port: int, stats: Stats) -> None:
        self.port = port
        self.stats = stats
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, name: str, method: str, path: str,
                form: dict[str, str] | None = None, json_body: object = None,
                ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body: str | None = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if json_body is not None:
            body = json.dumps(json_body)
            headers["Content-Type"] = "application/json"
        if body is not None:
            headers.update({"Accept": "application/json", "X-CSRFToken": self.csrf_token})
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status, data = 0, b""
        finally:
            connection.close()
        self.stats.add(name, time.perf_counter() - started, status)
        if status:
            for cookie in response.headers.get_all("Set-Cookie") or []:
                cookie_name, _, rest = cookie.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        return status, data

    def sign_in(self, email: str) -> None:
        status, page = self.request("GET /login", "GET", "/login")
        match = CSRF_INPUT.search(page.decode())
        if status != 200 or not match:
            raise RuntimeError(f"sign-in page answered {status}")
        self.csrf_token = match.group(1)
        status, _ = self.request("POST /login", "POST", "/login", form={
            "email": email, "password": PASSWORD, "csrf_token": self.csrf_token})
        if status != 302:
            raise RuntimeError(f"sign-in answered {status}")
        status, data = self.request("GET /session/token", "GET", "/session/token")
        self.csrf_token = json.loads(data)["csrf_token"]


def learner(port: int, email: str, stop_at: float, stats: Stats, seed: int) -> None:
    rng = random.Random(seed)
    client = Client(port, stats)
    client.sign_in(email)
    next_autosave = time.monotonic() + rng.uniform(0, AUTOSAVE_EVERY)
    while time.monotonic() < stop_at:
        if time.monotonic() >= next_autosave:
            next_autosave += AUTOSAVE_EVERY
            text = f"Load test reflection {secrets.token_hex(4)} " * rng.randint(1, 30)
            status, _ = client.request("POST reflection (autosave)", "POST",
                                       f"/learn/reflections/{rng.choice(REFLECTIONS)}",
                                       form={"key": secrets.token_hex(16), "text": text})
            if status == 200:
                with stats.lock:
                    stats.acknowledged["reflection"] += 1
        elif rng.random() < 0.08:
            take_quiz(client, stats)
        else:
            section = rng.choice(SECTIONS)
            client.request("GET section", "GET", f"/learn/sections/{section}")
            client.request("POST progress (autosave)", "POST",
                           f"/learn/sections/{section}/progress",
                           form={"key": secrets.token_hex(16), "event": "opened"})
        time.sleep(rng.uniform(1.0, 3.0))  # reading time between clicks


def quiz_answers() -> dict[str, object]:
    """The module 1 quiz's keyed answers, read from its content file (every question is
    required, so a submission answers them all)."""
    import yaml

    bank = yaml.safe_load((ROOT / "quizzes" / f"{QUIZ}.yaml").read_text(encoding="utf-8"))
    return {question["id"]: question["answer"] for question in bank["questions"]}


QUIZ_ANSWERS = quiz_answers()


def take_quiz(client: Client, stats: Stats) -> None:
    client.request("POST quiz start", "POST", f"/assessments/{QUIZ}/quiz",
                   form={"csrf_token": client.csrf_token})
    status, page = client.request("GET quiz page", "GET", f"/assessments/{QUIZ}/quiz")
    match = ATTEMPT_FORM.search(page.decode())
    if status != 200 or not match:
        return
    attempt = match.group(1)
    for question, value in QUIZ_ANSWERS.items():
        status, _ = client.request("POST answer (autosave)", "POST",
                                   f"/assessments/attempts/{attempt}/answers/{question}",
                                   json_body={"value": value, "key": secrets.token_hex(16)})
        if status == 200:
            with stats.lock:
                stats.acknowledged["answer"] += 1
    client.request("POST quiz submit", "POST", f"/assessments/attempts/{attempt}/submit",
                   form={"csrf_token": client.csrf_token})


class Server:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "app:app"], cwd=ROOT, env=env, start_new_session=True,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"gunicorn did not start; see {log}")
            time.sleep(0.2)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)
        self.log.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(stats: Stats, seconds: float) -> list[str]:
    problems = []
    total = sum(len(values) for values in stats.latencies.values())
    print(f"{total} requests in {seconds:.0f} s = {total / seconds:.1f} requests/s")
    print(f"{'endpoint':32} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for name in sorted(stats.latencies):
        values = stats.latencies[name]
        statuses = dict(sorted(stats.statuses[name].items()))
        print(f"{name:32} {len(values):6d} {statistics.median(values) * 1000:8.1f} "
              f"{percentile(values, 0.95) * 1000:8.1f} {percentile(values, 0.99) * 1000:8.1f}"
              f"  {statuses}")
        errors = {status: count for status, count in statuses.items()
                  if not (200 <= status < 400 or status == 429)}
        if errors:
            problems.append(f"{name}: error answers {errors}")
        if "autosave" in name and percentile(values, 0.95) > 0.300:
            problems.append(f"{name}: p95 {percentile(values, 0.95) * 1000:.0f} ms > 300 ms")
    return problems


def rows_saved(env: dict[str, str]) -> dict[str, int]:
    script = ("from learning import create_app\nfrom learning.db import db\n"
              "from sqlalchemy import text\napp = create_app()\nwith app.app_context():\n"
              "    for kind in ('reflection', 'answer', 'progress'):\n"
              "        print(kind, db.session.execute(text("
              "'SELECT count(*) FROM write_receipts WHERE kind = :k'), {'k': kind}).scalar())")
    output = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True,
                            stdout=subprocess.PIPE, text=True).stdout
    return {kind: int(count) for kind, count in (line.split() for line in output.splitlines())}


def run_learners(env: dict[str, str], port: int, learners: int, duration: float) -> list[str]:
    stats = Stats()
    stop_at = time.monotonic() + duration
    started = time.monotonic()
    threads = [threading.Thread(target=learner, args=(
        port, f"learner{number:03d}@load.example", stop_at, stats, number))
        for number in range(learners)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # people do not all arrive in the same millisecond
    for thread in threads:
        thread.join()
    problems = report(stats, time.monotonic() - started)
    saved = rows_saved(env)
    for kind in ("reflection", "answer"):
        line = f"rows saved ({kind}) = {saved[kind]}, saves acknowledged = " \
               f"{stats.acknowledged[kind]}"
        print(line)
        if saved[kind] != stats.acknowledged[kind]:
            problems.append(line)
    return problems


def run_writers(port: int, writers: int = 16, saves: int = 200) -> list[str]:
    stats = Stats()
    clients = []
    for number in range(writers):
        client = Client(port, stats)
        client.sign_in(f"learner{number:03d}@load.example")
        clients.append(client)

    def write(client: Client) -> None:
        for _ in range(saves):
            client.request("POST reflection (burst)", "POST",
                           f"/learn/reflections/{REFLECTIONS[0]}",
                           form={"key": secrets.token_hex(16), "text": "burst " * 20})

    started = time.monotonic()
    threads = [threading.Thread(target=write, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{writers} writers × {saves} autosaves:")
    statuses = stats.statuses["POST reflection (burst)"]
    values = stats.latencies["POST reflection (burst)"]
    print(f"  {len(values)} saves in {time.monotonic() - started:.1f} s, statuses "
          f"{dict(statuses)}, p95 {percentile(values, 0.95) * 1000:.0f} ms")
    failed = {status: count for status, count in statuses.items() if status != 200}
    return [f"burst writers: {failed}"] if failed else []


def run_oversize(port: int) -> list[str]:
    """A 10 MB form post: the server must answer 413 from the headers alone, without
    waiting for (or reading) the body, which a phone on 2G would take minutes to send."""
    size = 10 * 1024 * 1024
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall((f"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Type: application/x-www-form-urlencoded\r\n"
                            f"Content-Length: {size}\r\n\r\n").encode())
        connection.sendall(b"email=" + b"x" * 65536)  # the body starts to arrive…
        try:
            status_line = connection.recv(64).split(b"\r\n", 1)[0].decode()
        except OSError:
            status_line = ""
    elapsed = time.perf_counter() - started
    status = int(status_line.split()[1]) if len(status_line.split()) > 1 else 0
    print(f"10 MB request: status {status} in {elapsed * 1000:.0f} ms")
    return [] if status == 413 and elapsed < 1.0 else [f"10 MB request: {status}, {elapsed:.2f}s"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--duration", type=float, default=300.0)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="tandem-load-"))
    env = {name: value for name, value in os.environ.items() if not name.startswith("TANDEM_")}
    env.update(TANDEM_SECRET_KEY=secrets.token_urlsafe(32),
               TANDEM_INSTANCE_PATH=str(workdir / "instance"))
    pg_database = None
    if args.database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{workdir / 'load.db'}"
    else:
        pg_database = f"tandem_load_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-d", "test", "-qc",
                        f"CREATE DATABASE {pg_database}"], check=True)
        env["DATABASE_URL"] = f"postgresql+psycopg://postgres@127.0.0.1:5432/{pg_database}"
    problems: list[str] = []
    try:
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run([sys.executable, "-c", SETUP_SCRIPT, str(max(args.learners, 16)),
                        PASSWORD], cwd=ROOT, env=env, check=True)
        server = Server(env, workdir / "gunicorn.log")
        try:
            print(f"== {args.learners} learners for {args.duration:.0f} s on {args.database} ==")
            problems += run_learners(env, server.port, args.learners, args.duration)
            if args.database == "sqlite":
                print("== burst writers ==")
                problems += run_writers(server.port)
            print("== oversize request ==")
            problems += run_oversize(server.port)
        finally:
            server.stop()
    finally:
        if pg_database:
            subprocess.run(["psql", "-h", "127.0.0.1", "-d", "test", "-qc",
                            f"DROP DATABASE IF EXISTS {pg_database}"], check=False)
    print("RESULT:", "PASS" if not problems else "FAIL")
    for problem in problems:
        print("  -", problem)
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
