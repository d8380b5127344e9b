"""Approving a training report tells whoever listens (the certificates will), once per
approval and only after the approval is committed; the roll-out package itself knows
nothing of certificates."""

from __future__ import annotations

import ast
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from learning.db import db
from learning.rollout.models import ReportStatus, TrainingReport
from learning.rollout.signals import report_approved
from tests.rollout.conftest import hidden, page

ROLLOUT = Path(__file__).resolve().parents[2] / "learning" / "rollout"


def _decide(client, report_id: int, decision: str, comments: str = "") -> dict:  # type: ignore[no-untyped-def]
    form = page(client.get(f"/reports/{report_id}"))
    data = {"csrf_token": client.last_token, "key": hidden(form, "key"),
            "decision": decision, "comments": comments}
    assert client.post(f"/reports/{report_id}/review", data=data).status_code == 302
    return data


def test_each_approval_is_announced_once_after_it_is_committed(app, client, world, login,
                                                               record_training):
    people = world.people
    _t1, first = record_training(people["trainer"], world.cohort_id,
                                 status=ReportStatus.SUBMITTED)
    _t2, returned = record_training(people["teammate"], world.cohort_id,
                                    status=ReportStatus.SUBMITTED)
    _t3, second = record_training(people["teammate"], world.cohort_id,
                                  status=ReportStatus.RESUBMITTED)
    heard: list[tuple[object, int, int, str]] = []

    def listener(sender: Flask, report_id: int, trainer_id: int) -> None:
        # What another connection sees: only committed data.
        with db.engine.connect() as connection:  # type: ignore[union-attr]
            status = connection.scalar(select(TrainingReport.status)
                                       .where(TrainingReport.id == report_id))
        heard.append((sender, report_id, trainer_id, status))

    login(people["focal_point"])
    with report_approved.connected_to(listener):
        sent = _decide(client, first, "approve")
        client.post(f"/reports/{first}/review", data=sent)  # the same form, sent again
        _decide(client, returned, "return", "Please add the participants' list.")
        _decide(client, second, "approve", "Good.")

    assert heard == [(app, first, people["trainer"].id, ReportStatus.APPROVED),
                     (app, second, people["teammate"].id, ReportStatus.APPROVED)]
    with app.app_context():
        assert db.session.get(TrainingReport, returned).status == ReportStatus.RETURNED


def test_the_rollout_package_does_not_import_certificates():
    imported = set()
    for source in ROLLOUT.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
    assert "learning.rollout.signals" in imported  # the walk does see the package's imports
    assert not {name for name in imported if "certificates" in name}
