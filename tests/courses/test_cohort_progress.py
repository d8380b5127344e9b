"""The facilitator's cohort progress table: counts, percentages, scope, filters, CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from learning.accounts.models import Role
from learning.audit.models import AuditEvent
from learning.cohorts.models import EnrolmentStatus
from learning.courses import steps
from learning.db import db
from tests.courses.conftest import MODULES, PC1, PC2

NBSP = "\xa0"
TABLE = re.compile(r'<table class="progress-table">(.*?)</table>', re.S)
ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.S)
TAG = re.compile(r"<[^>]+>")


def table_rows(page: str) -> list[list[str]]:
    """The progress table as text: header row, one row per participant, the totals row."""
    match = TABLE.search(page)
    assert match, "no progress table on the page"
    return [[" ".join(html.unescape(TAG.sub("", cell)).split()) for cell in CELL.findall(row)]
            for row in ROW.findall(match.group(1))]


def totals(page: str) -> dict[str, str]:
    return {key: html.unescape(value).strip()
            for key, value in re.findall(r'<td data-step="([^"]+)">([^<]*)</td>', page)}


@pytest.fixture(autouse=True)
def without_pre_evaluation(app, monkeypatch):  # type: ignore[no-untyped-def]
    """Known columns and steps: the pre-evaluation's provider (registered by the assessments
    engine when the app starts) is left out here and tested with a stand-in below."""
    monkeypatch.setattr(steps, "_providers", {})


@pytest.fixture
def bujumbura(app, make_user, make_cohort, enrol, complete):  # type: ignore[no-untyped-def]
    """Six enrolled: one withdrawn (who had done everything), two done with both pre-course
    parts, one with part 1 only (part 2 all but one section), two with nothing."""
    facilitator = make_user(Role.FACILITATOR, country=None, name="Fatou Facilitator")
    cohort_id = make_cohort("bujumbura", countries=("BI", "NE"), facilitators=(facilitator,),
                            deadline=date.today() + timedelta(days=9))
    ama = make_user(name="Ama Both", country="BI", organisation="Care Org")
    bea = make_user(name="Bea Both", country="NE", organisation="Relief Org")
    chi = make_user(name="Chi Part-one", country="BI", organisation="Care Org")
    dan = make_user(name="Dan Nothing", country="NE")
    eve = make_user(name="Eve Opened", country="BI")
    gone = make_user(name="Gus Withdrawn", country="BI")
    enrol(cohort_id, ama, bea, chi, dan, eve)
    enrol(cohort_id, gone, status=EnrolmentStatus.WITHDRAWN)
    for unit in (PC1, PC2, *MODULES):
        complete(gone, unit)
    for unit in (PC1, PC2, MODULES[0], MODULES[1]):
        complete(ama, unit)
    for unit in (PC1, PC2, *MODULES):
        complete(bea, unit)
    complete(chi, PC1)
    complete(chi, PC2, all_but_one=True)
    complete(eve, PC1, all_but_one=True)  # opened and worked on, nothing done
    people = {"facilitator": facilitator, "ama": ama, "bea": bea, "chi": chi, "dan": dan,
              "eve": eve, "gone": gone}
    return cohort_id, people


def test_table_counts_and_percentages_exclude_the_withdrawn(client, login, bujumbura):
    cohort_id, people = bujumbura
    login(people["facilitator"])
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    rows = table_rows(page)
    assert rows[0] == ["Name", "Country", "Organisation", "Organisation type",
                       "Pre-course part 1", "Pre-course part 2", "Modules done (of 4)",
                       "Last activity"]
    body = {row[0]: row[1:7] for row in rows[1:-1]}
    assert body == {
        "Ama Both": ["Burundi", "Care Org", "National or local NGO", "Yes", "Yes", "2"],
        "Bea Both": ["Niger", "Relief Org", "National or local NGO", "Yes", "Yes", "4"],
        "Chi Part-one": ["Burundi", "Care Org", "National or local NGO", "Yes", "No", "0"],
        "Dan Nothing": ["Niger", "", "", "No", "No", "0"],
        "Eve Opened": ["Burundi", "", "", "No", "No", "0"],
    }
    last_activity = {row[0]: row[7] for row in rows[1:-1]}
    assert last_activity["Dan Nothing"] == "—" and last_activity["Eve Opened"] != "—"
    assert totals(page) == {PC1: "3 · 60%", PC2: "2 · 40%", "modules": "1 · 20%"}
    assert "5 participants" in page
    withdrawn = page.split("<h2>Withdrawn</h2>")[1]
    assert "Gus Withdrawn" in withdrawn and "Gus Withdrawn" not in page.split("<h2>")[0]


def test_nobody_done_is_zero_percent_and_everyone_done_is_a_hundred(
        app, client, make_user, login, make_cohort, enrol, complete):
    facilitator = make_user(Role.FACILITATOR, country=None)
    idle = make_cohort("idle", facilitators=(facilitator,))
    busy = make_cohort("busy", facilitators=(facilitator,))
    empty = make_cohort("empty", facilitators=(facilitator,))
    enrol(idle, make_user(), make_user())
    finished = [make_user(), make_user()]
    enrol(busy, *finished)
    for person in finished:
        for unit in (PC1, PC2, *MODULES):
            complete(person, unit)
    enrol(empty, make_user(), status=EnrolmentStatus.WITHDRAWN)
    login(facilitator)
    assert totals(client.get(f"/cohorts/{idle}/progress").get_data(as_text=True)) == {
        PC1: "0 · 0%", PC2: "0 · 0%", "modules": "0 · 0%"}
    assert totals(client.get(f"/cohorts/{busy}/progress").get_data(as_text=True)) == {
        PC1: "2 · 100%", PC2: "2 · 100%", "modules": "2 · 100%"}
    # Nobody left to count: no percentage at all rather than a division by zero.
    assert totals(client.get(f"/cohorts/{empty}/progress").get_data(as_text=True)) == {
        PC1: "0 · —", PC2: "0 · —", "modules": "0 · —"}


def test_french_viewer_gets_french_headers_number_format_and_days_left(
        client, make_user, login, make_cohort, enrol, complete):
    facilitator = make_user(Role.FACILITATOR, country=None, language="fr")
    cohort_id = make_cohort("niamey", countries=("NE",), facilitators=(facilitator,),
                            deadline=date.today() + timedelta(days=9))
    person = make_user(country="NE")
    enrol(cohort_id, person)
    complete(person, PC1)
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert table_rows(page)[0][:4] == ["Nom", "Pays", "Organisation", "Type d'organisation"]
    assert totals(page)[PC1] == f"1 · 100{NBSP}%"
    assert totals(page)[PC2] == f"0 · 0{NBSP}%"
    assert "9 jours restants" in html.unescape(page)


def test_page_header_shows_the_days_left_before_the_deadline(client, login, bujumbura):
    cohort_id, people = bujumbura
    login(people["facilitator"])
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert "9 days left" in page


def test_filters_and_sorting(client, login, bujumbura):
    cohort_id, people = bujumbura
    login(people["facilitator"])
    niger = client.get(f"/cohorts/{cohort_id}/progress?country=NE").get_data(as_text=True)
    assert [row[0] for row in table_rows(niger)[1:-1]] == ["Bea Both", "Dan Nothing"]
    assert totals(niger) == {PC1: "1 · 50%", PC2: "1 · 50%", "modules": "1 · 50%"}

    by_modules = client.get(f"/cohorts/{cohort_id}/progress?sort=modules&order=desc")
    names = [row[0] for row in table_rows(by_modules.get_data(as_text=True))[1:-1]]
    assert names == ["Bea Both", "Ama Both", "Chi Part-one", "Dan Nothing", "Eve Opened"]
    # Only listed columns sort; anything else is the default order, by name.
    odd = client.get(f"/cohorts/{cohort_id}/progress?sort=password&order=desc")
    names = [row[0] for row in table_rows(odd.get_data(as_text=True))[1:-1]]
    assert names == ["Eve Opened", "Dan Nothing", "Chi Part-one", "Bea Both", "Ama Both"]

    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    care_org = re.search(r'<option value="(\d+)">Care Org</option>', page)
    assert care_org
    care = client.get(f"/cohorts/{cohort_id}/progress?organisation={care_org.group(1)}")
    rows = table_rows(care.get_data(as_text=True))
    assert [row[0] for row in rows[1:-1]] == ["Ama Both", "Chi Part-one"]


def test_pre_evaluation_column_appears_once_its_provider_is_registered(
        client, login, bujumbura):
    cohort_id, people = bujumbura
    login(people["facilitator"])
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert "Pre-evaluation" not in page

    asked: list[set[int]] = []

    def pre_test_done(user_ids):  # type: ignore[no-untyped-def]
        asked.append(set(user_ids))
        return {people["ama"].id, people["gone"].id}

    steps.register_step_provider(steps.PRE_EVALUATION, pre_test_done)
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert table_rows(page)[0][4] == "Pre-evaluation"
    assert totals(page)[steps.PRE_EVALUATION] == "1 · 20%"
    assert asked == [{people[name].id for name in ("ama", "bea", "chi", "dan", "eve")}]
    with pytest.raises(ValueError, match="not a step"):
        steps.register_step_provider("post-evaluaton", pre_test_done)


def test_csv_export_is_translated_neutralised_and_audited(
        app, client, make_user, login, make_cohort, enrol, complete):
    facilitator = make_user(Role.FACILITATOR, country=None)
    cohort_id = make_cohort("csv", facilitators=(facilitator,))
    risky = [make_user(name="=HYPERLINK(\"http://x.test\")", organisation="@SUM(1+1)"),
             make_user(name="+Plus"), make_user(name="-Minus"), make_user(name="Zoé Normal")]
    enrol(cohort_id, *risky)
    enrol(cohort_id, make_user(name="Withdrawn One"), status=EnrolmentStatus.WITHDRAWN)
    complete(risky[3], PC1)
    login(facilitator)
    response = client.get(f"/cohorts/{cohort_id}/progress.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Country", "Organisation", "Organisation type",
                       "Pre-course part 1", "Pre-course part 2", "Modules done (of 4)",
                       "Last activity (UTC)"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"'=HYPERLINK(\"http://x.test\")", "'+Plus", "'-Minus", "Zoé Normal"}
    assert by_name["'=HYPERLINK(\"http://x.test\")"][2] == "'@SUM(1+1)"
    assert by_name["Zoé Normal"][1:7] == ["Burundi", "", "", "Yes", "No", "0"]
    assert by_name["Zoé Normal"][7] == "2030-02-10 09:30"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "export.cohort_progress"))
        assert event is not None
        assert (event.actor_id, event.target_type, event.target_id) == (
            facilitator.id, "cohort", str(cohort_id))


def test_csv_headers_follow_the_viewers_language(client, make_user, login, make_cohort, enrol):
    facilitator = make_user(Role.FACILITATOR, country=None, language="fr")
    cohort_id = make_cohort("csv-fr", facilitators=(facilitator,))
    enrol(cohort_id, make_user())
    login(facilitator)
    text = client.get(f"/cohorts/{cohort_id}/progress.csv").data.decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == ["Nom", "Pays", "Organisation", "Type d'organisation"]


def test_facilitator_of_another_cohort_gets_not_found(client, make_user, login, bujumbura):
    cohort_id, _people = bujumbura
    login(make_user(Role.FACILITATOR, country=None))
    assert client.get(f"/cohorts/{cohort_id}/progress").status_code == 404
    assert client.get(f"/cohorts/{cohort_id}/progress.csv").status_code == 404
    response = client.post(f"/cohorts/{cohort_id}/reminders",
                           data={"csrf_token": client.token(), "step": PC1, "key": "k" * 16})
    assert response.status_code == 404


def test_focal_point_and_coordinator_see_their_countries_only(
        client, make_user, login, bujumbura):
    cohort_id, _people = bujumbura
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["NE"]))
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert [row[0] for row in table_rows(page)[1:-1]] == ["Bea Both", "Dan Nothing"]
    assert totals(page) == {PC1: "1 · 50%", PC2: "1 · 50%", "modules": "1 · 50%"}
    assert "Send a reminder" not in page
    text = client.get(f"/cohorts/{cohort_id}/progress.csv").data.decode("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == ["Bea Both", "Dan Nothing"]

    client.post("/logout", data={"csrf_token": client.token()})
    login(make_user(Role.COORDINATOR, country="BI"))
    page = client.get(f"/cohorts/{cohort_id}/progress").get_data(as_text=True)
    assert [row[0] for row in table_rows(page)[1:-1]] == ["Ama Both", "Chi Part-one",
                                                           "Eve Opened"]
    assert "Gus Withdrawn" in page  # withdrawn from their country, listed apart
    login_elsewhere = make_user(Role.FOCAL_POINT, country=None, focal_countries=["IQ"])
    client.post("/logout", data={"csrf_token": client.token()})
    login(login_elsewhere)
    assert client.get(f"/cohorts/{cohort_id}/progress").status_code == 404
