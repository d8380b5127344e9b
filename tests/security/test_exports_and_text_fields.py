"""Hostile text: spreadsheet formulas never reach an export as formulas, and text fields
keep exactly what people typed (accents, right-to-left, emoji, template syntax), show it
escaped, and refuse NUL characters and oversize text with a 400 and nothing written."""

from __future__ import annotations

import csv
import html
import io

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.courses.models import ReflectionAnswer
from learning.db import db
from learning.rollout.models import Training
from tests.conftest import BrowserLikeClient, sign_in
from tests.test_access_matrix import _route_methods, rule_url, world  # noqa: F401  (fixture)

FORMULA = "=HYPERLINK(\"http://evil.example\",\"x\")"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cells(response) -> list[str]:  # type: ignore[no-untyped-def]
    if response.mimetype == "text/csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text))
                for cell in row]
    workbook = load_workbook(io.BytesIO(response.data), read_only=True)
    return [str(cell) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
            for cell in row if isinstance(cell, str)]


def _delimiter(text: str) -> str:
    first = text.splitlines()[0] if text else ""
    return ";" if first.count(";") > first.count(",") else ","


def test_every_export_neutralises_formulas(app: Flask, world) -> None:  # noqa: F811
    people, ids = world
    with app.app_context():
        for role in ("participant", "focal_point"):
            db.session.get(User, people[role].id).name = FORMULA
        for training in db.session.scalars(select(Training)):
            training.region_city = "+SUM(1+1)"
        db.session.commit()
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    sign_in(client, people["admin"])
    exports = [(endpoint, rule_url(rule, ids)) for endpoint, method, rule in _route_methods(app)
               if method == "GET" and rule.endswith((".csv", ".xlsx"))]
    assert len(exports) >= 9
    dangerous, seen_payload = [], set()
    for endpoint, url in exports:
        response = client.get(url)
        if response.status_code == 404 and endpoint.startswith("assessments."):
            continue  # nobody in the world has taken a test: no results table to export
        assert response.status_code == 200, url
        for cell in _cells(response):
            if cell.startswith(FORMULA_STARTS) and not _is_number(cell):
                dangerous.append(f"{endpoint}: {cell!r}")
            if "HYPERLINK" in cell or "SUM(1+1)" in cell:
                seen_payload.add(endpoint)
    assert dangerous == []
    # The payload did reach the exports that show names or places (as text).
    assert {"courses.cohort_progress_csv", "rollout.trainings_xlsx"} <= seen_payload


def _is_number(cell: str) -> bool:
    try:
        float(cell.replace(",", ".").replace("\xa0", "").rstrip("%"))
    except ValueError:
        return False
    return True


HOSTILE = [
    "Zoë Ngoné-Bâ — l'école", "ليلى حسن", "Ирина 🌍🤝", "{{7*7}} {% raw %} ${7*7}",
    "<script>alert(1)</script>", "' OR 1=1 --",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_profile_name_is_stored_exactly_and_shown_escaped(app, client, make_user, text):
    person = make_user(Role.PARTICIPANT)
    sign_in(client, person)
    response = client.submit("/account", {"name": text, "job_title": text, "language": "en"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(User, person.id)
        assert (stored.name, stored.job_title) == (" ".join(text.split()), text)
    page = client.get("/account").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    # Template syntax is shown as typed, never evaluated.
    assert " ".join(text.split()) in html.unescape(page)


@pytest.mark.parametrize("text", HOSTILE + ["x" * 10_000])
def test_reflection_keeps_exact_text(app, client, login, make_user, text):
    login(make_user(Role.PARTICIPANT))
    response = client.post("/learn/reflections/m1-r-timeline",
                           headers={"Accept": "application/json"},
                           data={"csrf_token": client.token(), "key": "hostile-text-01",
                                 "text": text})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(ReflectionAnswer.text)) == text
    page = client.get("/learn/sections/m1-introduction").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("text", ["before\x00after", "x" * 100_001])
def test_nul_and_oversize_text_are_refused_and_nothing_is_written(app, client, login, make_user,
                                                                  text):
    person = make_user(Role.PARTICIPANT)
    login(person)
    reflection = client.post("/learn/reflections/m1-r-timeline",
                             headers={"Accept": "application/json"},
                             data={"csrf_token": client.token(), "key": "hostile-text-02",
                                   "text": text})
    assert reflection.status_code == 400
    assert reflection.json["error"] in ("The text contains a character that cannot be saved.",
                                        "The text is too long (at most 20000 characters).")
    profile = client.post("/account", data={"csrf_token": client.token(), "name": text,
                                            "language": "en"})
    assert profile.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(ReflectionAnswer.text)) is None
        assert db.session.get(User, person.id).name != text
