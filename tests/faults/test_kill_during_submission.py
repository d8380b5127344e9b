"""Kill the production server (SIGKILL) while a quiz is being submitted, at a different
moment each round: the attempt is either wholly submitted (status, every answer marked,
score) or still open with nothing marked, never in between; resending the submission
after the restart finishes it exactly once.

SQLite only, like the other kill test: it is about the embedded default's durability.
"""

from __future__ import annotations

import http.client
import json
import re
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
import yaml

from learning.config import PROJECT_ROOT
from tests.faults.test_server_restart import (
    Client,
    Server,
    integrity,
    production_env,  # noqa: F401  (fixture)
)

pytestmark = pytest.mark.skipif(bool(__import__("os").environ.get("TEST_DATABASE_URL")),
                                reason="SQLite (the embedded default) only")

QUIZ = "quiz-module-1"
ATTEMPT_FORM = re.compile(r"/assessments/attempts/(\d+)/answers")
ROUNDS = 6


def _keyed_answers() -> dict[str, object]:
    bank = yaml.safe_load((PROJECT_ROOT / "quizzes" / f"{QUIZ}.yaml").read_text("utf-8"))
    return {question["id"]: question["answer"] for question in bank["questions"]}


def _open_attempt_with_answers(client: Client, answers: dict[str, object]) -> int:
    client.request("POST", f"/assessments/{QUIZ}/quiz", {"csrf_token": client.csrf_token})
    status, page = client.request("GET", f"/assessments/{QUIZ}/quiz")
    match = ATTEMPT_FORM.search(page.decode())
    assert status == 200 and match, page[:300]
    attempt = int(match.group(1))
    for number, (question, value) in enumerate(answers.items()):
        connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=15)
        body = json.dumps({"value": value, "key": f"a{attempt}q{number}xxxxxxxx"})
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
                   "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": client.csrf_token}
        connection.request("POST", f"/assessments/attempts/{attempt}/answers/{question}",
                           body, headers)
        assert connection.getresponse().status == 200
        connection.close()
    return attempt


def _state(database: Path, attempt: int, questions: int) -> str:
    with closing(sqlite3.connect(database)) as connection:
        status, score, percent = connection.execute(
            "SELECT status, score, percent FROM attempts WHERE id = ?", (attempt,)).fetchone()
        marked, total = connection.execute(
            "SELECT count(points), count(*) FROM answers WHERE attempt_id = ?",
            (attempt,)).fetchone()
    assert total == questions, "an acknowledged answer is missing"
    if status == "open":
        assert score is None and percent is None and marked == 0, "half-submitted attempt"
        return "open"
    assert score is not None and percent is not None and marked == total, \
        "submitted attempt without its marks"
    return "submitted"


def test_kill_9_during_quiz_submission_is_all_or_nothing(production_env, tmp_path):  # noqa: F811
    database = tmp_path / "tandem.db"
    log = tmp_path / "gunicorn.log"
    answers = _keyed_answers()
    outcomes = []
    for round_number in range(ROUNDS):
        server = Server(production_env, log)
        client = Client(server.port)
        client.sign_in()
        attempt = _open_attempt_with_answers(client, answers)

        def submit(client: Client = client, attempt: int = attempt) -> None:
            try:
                client.request("POST", f"/assessments/attempts/{attempt}/submit",
                               {"csrf_token": client.csrf_token})
            except (OSError, http.client.HTTPException):
                pass  # killed with the request in flight

        sender = threading.Thread(target=submit)
        sender.start()
        time.sleep(0.004 * round_number)  # from "not yet arrived" to "already committed"
        server.kill()
        sender.join(timeout=20)
        assert integrity(database) == "ok"
        outcomes.append(_state(database, attempt, len(answers)))

        # The person presses "Submit" again after the restart: it ends submitted, once.
        server = Server(production_env, log)
        client.port = server.port
        try:
            client.request("POST", f"/assessments/attempts/{attempt}/submit",
                           {"csrf_token": client.csrf_token})
        finally:
            server.kill()
        assert _state(database, attempt, len(answers)) == "submitted"
    with closing(sqlite3.connect(database)) as connection:
        submitted = connection.execute(
            "SELECT count(*) FROM attempts WHERE status != 'open'").fetchone()[0]
    assert submitted == ROUNDS
    print("states found right after the kill:", outcomes)
