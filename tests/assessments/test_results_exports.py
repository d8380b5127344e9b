"""Exports of the results tables: CSV with a BOM and XLSX, re-opened and checked for
headers, rows, the viewer's language, formula neutralising and the audit record."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from learning.accounts.models import Role
from learning.assessments.models import Purpose
from learning.audit.models import AuditEvent
from learning.core.spreadsheets import neutralise
from learning.db import db
from tests.assessments.results_world import (
    add_anonymous_response,
    add_attempt,
    make_cohort,
    use_result_banks,
)

KNOWLEDGE = "results-knowledge"
SURVEY = "results-survey"
FORMULA_NAME = '=HYPERLINK("http://example.org","click")'


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    plain = make_user(Role.PARTICIPANT, name="Ana Kaneza", country="BI")
    hostile = make_user(Role.PARTICIPANT, name=FORMULA_NAME, country="BI")
    alone = make_user(Role.PARTICIPANT, name="Odile Ndikumana", country="BI")
    cohort_id = make_cohort(app, ("BI",), facilitator, participants=(plain, hostile, alone))
    for person, pre, post in ((plain, 10, 20), (hostile, 25, 22)):
        add_attempt(app, person, cohort_id, KNOWLEDGE, Purpose.PRE, score=pre, max_score=25)
        add_attempt(app, person, cohort_id, KNOWLEDGE, Purpose.POST, score=post, max_score=25)
    add_attempt(app, alone, cohort_id, KNOWLEDGE, Purpose.PRE, score=5, max_score=25)
    comments = ["@SUM(A1:A9)", "+33 6 00 00 00 00", "-2 days would be better", "Fine",
                "=1+1"]
    for comment in comments:
        add_anonymous_response(app, cohort_id, SURVEY, "en",
                               {"rv-likert": "strongly_agree", "rv-comments": comment})
    return cohort_id, facilitator


def _csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheet programs look for
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_participants_csv_has_headers_rows_and_neutralised_names(app, client, login,
                                                                  cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    response = client.get(f"/cohorts/{cohort_id}/results.csv?table=participants")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="tot-results-participants.csv"' in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert rows[0] == ["Name", "Country", "Tests taken", "Pre-test (%)", "Post-test (%)",
                       "Difference (percentage points)", "Normalised gain"]
    assert rows[1:] == [
        ["'" + FORMULA_NAME, "Burundi", "Both tests", "100.0", "88.0", "-12.0", "undefined"],
        ["Ana Kaneza", "Burundi", "Both tests", "40.0", "80.0", "40.0", "0.667"],
        ["Odile Ndikumana", "Burundi", "Pre-test only", "20.0", "", "", ""],
    ]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export.results"))
        assert event is not None and event.actor_id == facilitator.id
        assert event.target_id == str(cohort_id)
        assert event.details == {"table": "participants", "format": "csv", "bank": KNOWLEDGE,
                                 "rows": 3}


def test_knowledge_xlsx_reopens_with_numbers_and_text(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    response = client.get(f"/cohorts/{cohort_id}/results.xlsx?table=knowledge")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:5] == ["Country", "Participants with both tests", "Mean pre-test (%)",
                           "Mean post-test (%)", "Mean difference (percentage points)"]
    # Ana 40 → 80 and the other 100 → 88: means 70 and 84; g = 14/30; only Ana's g defined.
    assert rows[1] == ["Burundi", 2, 70.0, 84.0, 14.0, 0.467, 0.667, 1, 1, 0]
    assert rows[2][0] == "All"


def test_participants_xlsx_neutralises_formulas(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    response = client.get(f"/cohorts/{cohort_id}/results.xlsx?table=participants")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    hostile = sheet.cell(row=2, column=1)
    assert hostile.value == "'" + FORMULA_NAME and hostile.data_type == "s"
    difference = sheet.cell(row=2, column=6)
    assert difference.value == -12.0 and difference.data_type == "n"


def test_survey_export_neutralises_every_trigger(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    rows = _csv(client.get(f"/cohorts/{cohort_id}/results.csv?table=survey&bank={SURVEY}"))
    assert rows[0] == ["Question id", "Question", "Statement or option", "Answer", "Responses",
                       "Mean rank", "Ranked first"]
    assert ["rv-likert", "The training met my needs.", "", "Strongly agree", "5", "", ""] in rows
    texts = [row[3] for row in rows if row[0] == "rv-comments"]
    assert sorted(texts) == sorted(["'@SUM(A1:A9)", "'+33 6 00 00 00 00",
                                    "'-2 days would be better", "Fine", "'=1+1"])
    xlsx = client.get(f"/cohorts/{cohort_id}/results.xlsx?table=survey&bank={SURVEY}")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    cells = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)
             if row[0] == "rv-comments"]
    assert all(cell == "Fine" or cell.startswith("'") for cell in cells)


def test_neutralise_covers_every_trigger_and_leaves_other_text() -> None:
    for text in ("=1+1", "+1", "-1", "@A1", "\tcmd", "\rcmd"):
        assert neutralise(text) == "'" + text
    assert neutralise("Plain text = fine") == "Plain text = fine"
    assert neutralise("'=already") == "'=already"


def test_headers_are_in_the_viewers_language(app, client, login, make_user, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator = cohort
    login(make_user(Role.ADMIN, country=None, language="fr"))
    rows = _csv(client.get(f"/cohorts/{cohort_id}/results.csv?table=participants"))
    assert rows[0][:2] == ["Nom", "Pays"]


def test_unknown_tables_and_banks_are_not_found(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    for query in ("table=everything", "table=survey", "table=survey&bank=no-such-bank",
                  "table=knowledge&bank=no-such-bank", "table=confidence"):
        assert client.get(f"/cohorts/{cohort_id}/results.csv?{query}").status_code == 404
