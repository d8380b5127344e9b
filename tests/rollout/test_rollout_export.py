"""The trainings spreadsheet: one row per training with its counts, a focal point's countries
only, and cell text that a spreadsheet program never runs as a formula."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.db import db
from learning.rollout.models import ReportStatus


def _sheet(response):  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert response.mimetype == ("application/vnd.openxmlformats-officedocument"
                                 ".spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data)).active


def test_the_focal_point_exports_their_countries_trainings(app, client, world, login,
                                                          record_training):
    people = world.people
    record_training(people["trainer"], world.cohort_id, status=ReportStatus.APPROVED,
                    other_co_trainers="@Visiting expert",
                    counts={"un_agency_count": 1, "national_ngo_count": 8,
                            "female_count": 6, "male_count": 3},
                    organisations=("-2+3", "AVSI", "Caritas"),
                    region_city="=HYPERLINK(\"http://x.test\")",
                    pre_test_average=Decimal("52.5"), post_test_average=Decimal("78"))
    record_training(people["teammate"], world.cohort_id, co_trainers=(people["trainer"],),
                    region_city="+Ngozi", start_date=date(2030, 6, 1),
                    end_date=date(2030, 6, 2))
    record_training(people["congo_trainer"], world.cohort_id,
                    counts={"national_ngo_count": 30}, region_city="Goma")

    login(people["focal_point"])
    sheet = _sheet(client.get(f"/cohorts/{world.cohort_id}/trainings.xlsx"))
    rows = list(sheet.iter_rows(values_only=True))
    headers = rows[0]
    assert len(rows) == 3  # Burundi's two trainings only
    row = dict(zip(headers, rows[1], strict=True))
    assert row["Country"] == "Burundi"
    assert row["Trainer"] == "Aline Ndayishimiye"
    assert row["Co-trainers"] == "'@Visiting expert"
    assert row["First day"] == datetime(2030, 5, 5) and row["Days"] == 3
    assert row["Region or city"] == "'=HYPERLINK(\"http://x.test\")"
    assert (row["UN agency"], row["National or local NGO"], row["Government"]) == (1, 8, 0)
    assert (row["Participants"], row["Women"], row["Men"], row["Other or not said"]) == (
        9, 6, 3, 0)
    assert row["Organisations reached"] == 3
    assert row["Organisations"] == "'-2+3; AVSI; Caritas"
    assert (row["Pre-test average (%)"], row["Post-test average (%)"]) == (52.5, 78)
    assert row["Report status"] == "Approved"
    assert row["Modules"] == "1, 2"
    second = dict(zip(headers, rows[2], strict=True))
    assert (second["Trainer"], second["Co-trainers"], second["Region or city"],
            second["Report status"]) == ("Jean Hakizimana", "Aline Ndayishimiye", "'+Ngozi",
                                         "Draft")
    # No cell holds a formula: the text cells are text, whatever they start with.
    assert all(cell.data_type != "f" for line in sheet.iter_rows() for cell in line)
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "export.trainings"))
        assert event.actor_id == people["focal_point"].id and event.details["rows"] == 2


def test_admins_export_every_country_and_others_may_not(client, world, login,
                                                        record_training):
    people = world.people
    record_training(people["trainer"], world.cohort_id, region_city="Gitega")
    record_training(people["congo_trainer"], world.cohort_id, region_city="Goma")
    login(people["admin"])
    rows = list(_sheet(client.get(f"/cohorts/{world.cohort_id}/trainings.xlsx"))
                .iter_rows(values_only=True))
    assert [(row[0], row[6]) for row in rows[1:]] == [("Burundi", "Gitega"),
                                                      ("Congo - Kinshasa", "Goma")]
    client.post("/logout", data={"csrf_token": client.token()})
    for name in ("facilitator", "coordinator", "trainer"):
        login(people[name])
        assert client.get(f"/cohorts/{world.cohort_id}/trainings.xlsx").status_code == 403
        client.post("/logout", data={"csrf_token": client.token()})
