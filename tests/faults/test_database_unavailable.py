"""The database goes away mid-save: the client gets a 503 it can retry, nothing is half
written, and the replayed save (same key) is stored once when the database is back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError

from learning.accounts.models import Role
from learning.core.models import WriteReceipt
from learning.courses.models import ReflectionAnswer
from learning.db import db

REFLECTION = "/learn/reflections/m1-r-timeline"


class Outage:
    """Every write statement fails as if the server had closed the connection."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine

    def _fail(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise OperationalError(statement, parameters,
                                   Exception("server closed the connection unexpectedly"))

    def __enter__(self) -> Outage:
        event.listen(self.engine, "before_cursor_execute", self._fail)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._fail)


@pytest.mark.parametrize("accept", ["application/json", "text/html"])
def test_a_save_during_an_outage_answers_503_and_replays_once(app, client, login, make_user,
                                                              accept):
    login(make_user(Role.PARTICIPANT))
    token = client.token()
    form = {"csrf_token": token, "key": "outage-save-0001", "text": "Écouter d'abord"}
    with app.app_context():
        engine = db.engine
    with Outage(engine):
        response = client.post(REFLECTION, data=form, headers={"Accept": accept})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    if accept == "application/json":
        assert response.is_json and response.json["status"] == 503
    else:
        assert "Temporarily unavailable" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReflectionAnswer)) == 0
        assert db.session.scalar(select(func.count()).select_from(WriteReceipt)) == 0

    # The autosave queue kept the item and sends it again, same key, once the DB is back.
    replay = client.post(REFLECTION, data=form, headers={"Accept": "application/json"})
    again = client.post(REFLECTION, data=form, headers={"Accept": "application/json"})
    assert replay.status_code == again.status_code == 200
    assert again.json["revision"] == replay.json["revision"] == 1
    with app.app_context():
        rows = db.session.scalars(select(ReflectionAnswer)).all()
        assert [(row.text, row.revision) for row in rows] == [("Écouter d'abord", 1)]
