"""The plan outside the page: the XLSX (activities, budget with totals per currency, risks;
formula-like text neutralised), the PDF, the printable page, and the timeline chart."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from learning.audit.models import AuditEvent
from learning.db import db
from learning.plans import timeline
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    BudgetLine,
    Challenge,
    CountryPlanActivity,
    FundingStatus,
    PlanRisk,
    activity_dependencies,
)
from tests.plans.test_country_plan import (  # noqa: F401 - plan_world is a fixture
    client_for,
    plan_url,
    plan_world,
    text_of,
)


def _fill(app, ids) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Three dated activities and one without dates, lines in two currencies, two risks."""
    with app.app_context():
        made = {}
        for title, category, start, end, status, owner in [
                ("Preparation meeting", ActivityCategory.PREPARATION, date(2030, 4, 1),
                 date(2030, 4, 1), ActivityStatus.DONE, "Alice Niyonzima"),
                ("=HYPERLINK(\"http://evil.example\")", ActivityCategory.TRAINING,
                 date(2030, 4, 6), date(2030, 4, 8), ActivityStatus.PLANNED, "+257 79 000 000"),
                ("Coaching visits", ActivityCategory.COACHING, date(2030, 5, 1),
                 date(2030, 7, 31), ActivityStatus.IN_PROGRESS, "@trainers"),
                ("Reporting", ActivityCategory.REPORTING, None, None, ActivityStatus.PLANNED,
                 "")]:
            activity = CountryPlanActivity(plan_id=ids["plan"], title=title, category=category,
                                           start_date=start, end_date=end, status=status,
                                           owner_name=owner)
            db.session.add(activity)
            db.session.flush()
            made[title[:8]] = activity.id
        db.session.execute(activity_dependencies.insert().values(
            activity_id=made["=HYPERLI"], depends_on_id=made["Preparat"]))
        db.session.add_all([
            BudgetLine(plan_id=ids["plan"], activity_id=made["=HYPERLI"], item="Venue",
                       unit_cost=Decimal("250.00"), quantity=Decimal("3"), currency="USD",
                       funding_status=FundingStatus.SECURED),
            BudgetLine(plan_id=ids["plan"], activity_id=made["=HYPERLI"],
                       item="-5 chairs (broken)", unit_cost=Decimal("10.25"),
                       quantity=Decimal("4"), currency="USD",
                       funding_status=FundingStatus.GAP),
            BudgetLine(plan_id=ids["plan"], activity_id=None, item="@Printing",
                       unit_cost=Decimal("12500"), quantity=Decimal("40"), currency="BIF",
                       funding_status=FundingStatus.REQUESTED)])
        db.session.add_all([
            PlanRisk(plan_id=ids["plan"], challenge=Challenge.TRAINER_TURNOVER,
                     description="Two trainers may change jobs", mitigation="=1+1"),
            PlanRisk(plan_id=ids["plan"], challenge=Challenge.OTHER,
                     description="Rainy season closes roads", mitigation="Train in June")])
        db.session.commit()
        return made


def _values(sheet) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_the_spreadsheet_has_the_rows_totals_per_currency_and_no_formulas(app, plan_world):  # noqa: F811
    people, ids = plan_world
    _fill(app, ids)
    response = client_for(app, people["coordinator"]).get(plan_url(ids, ".xlsx"))
    assert response.status_code == 200
    assert 'filename="roll-out-plan-gitega-BI.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Activities", "Budget", "Risks"]

    activities = _values(book["Activities"])
    assert activities[0] == (
        "Activity", "Kind of activity", "Owner", "Organisation", "Start date", "End date",
        "Status", "Can start after", "Trainings planned",
        "Trainings delivered (approved reports)")
    assert activities[1:] == [
        ("Preparation meeting", "Preparation meeting with the coordination group",
         "Alice Niyonzima", None, datetime(2030, 4, 1), datetime(2030, 4, 1), "Done", None,
         0, 0),
        ("'=HYPERLINK(\"http://evil.example\")", "Training of supervisors", "'+257 79 000 000",
         None, datetime(2030, 4, 6), datetime(2030, 4, 8), "Planned", "Preparation meeting",
         1, 0),
        ("Coaching visits", "Follow-up coaching of trained supervisors", "'@trainers", None,
         datetime(2030, 5, 1), datetime(2030, 7, 31), "In progress", None, 0, 0),
        ("Reporting", "Reporting", None, None, None, None, "Planned", None, 0, 0)]

    budget = _values(book["Budget"])
    assert budget[0] == ("Budget item", "For the activity", "Unit cost", "Quantity", "Currency",
                         "Line total", "Funding")
    assert budget[1:4] == [
        ("Venue", "'=HYPERLINK(\"http://evil.example\")", 250, 3, "USD", 750, "Secured"),
        ("'-5 chairs (broken)", "'=HYPERLINK(\"http://evil.example\")", 10.25, 4, "USD", 41,
         "Gap (not funded)"),
        ("'@Printing", None, 12500, 40, "BIF", 500000, "Requested")]
    rest = [row for row in budget[4:] if any(cell is not None for cell in row)]
    assert [row[:6] for row in rest] == [
        ("Totals per currency", None, None, None, None, None),
        ("Currency", "Total", "Secured", "Requested", "Gap (not funded)", None),
        ("BIF", 500000, 0, 500000, 0, None),
        ("USD", 791, 750, 0, 41, None),
        ("Totals per activity", None, None, None, None, None),
        ("For the activity", "Currency", "Total", "Secured", "Requested", "Gap (not funded)"),
        ("'=HYPERLINK(\"http://evil.example\")", "USD", 791, 750, 0, 41),
        ("Not tied to one activity", "BIF", 500000, 0, 500000, 0)]

    risks = _values(book["Risks"])
    assert risks == [("Challenge", "How it could affect the roll-out", "Mitigation"),
                     ("Turnover and loss of trainers", "Two trainers may change jobs", "'=1+1"),
                     ("Other challenge", "Rainy season closes roads", "Train in June")]
    # No cell anywhere holds a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row)
    # The French-speaking focal point gets the headers in French.
    french = client_for(app, people["focal_bi"]).get(plan_url(ids, ".xlsx"))
    assert "Statut" in _values(load_workbook(io.BytesIO(french.data)).worksheets[0])[0]
    with app.app_context():
        events = db.session.execute(select(AuditEvent.actor_id, AuditEvent.details).where(
            AuditEvent.action == "country_plan.exported").order_by(AuditEvent.id)).all()
    assert [(actor, details["format"]) for actor, details in events] == [
        (people["coordinator"].id, "xlsx"), (people["focal_bi"].id, "xlsx")]


def test_the_pdf_and_the_printable_page(app, plan_world):  # noqa: F811
    people, ids = plan_world
    _fill(app, ids)
    alice = client_for(app, people["alice"])
    response = alice.get(plan_url(ids, ".pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for expected in ("Country roll-out plan — Burundi", "Gitega ToT", "Coaching visits",
                     "Venue: 3 × $250.00 = $750.00 (Secured)", "Totals per currency",
                     "Turnover and loss of trainers", "Mitigation: Train in June"):
        assert expected in " ".join(text.split()), expected
    page = text_of(alice.get(plan_url(ids, "/print")))
    assert "Roll-out plan: Burundi" in page and "version 1" in page
    assert '<svg class="gantt"' in page and "Rainy season closes roads" in page


def test_the_timeline_has_a_bar_per_dated_activity_and_no_style_attribute(app, plan_world):  # noqa: F811
    people, ids = plan_world
    _fill(app, ids)
    page = client_for(app, people["alice"]).get(plan_url(ids)).get_data(as_text=True)
    svg = re.search(r'<svg class="gantt".*?</svg>', page, re.S).group(0)
    bars = re.findall(r'<rect class="gantt-bar gantt-(\w+)"[^>]*><title>([^<]*)</title>', svg)
    assert [status for status, _title in bars] == ["done", "planned", "in_progress"]
    assert "Coaching visits: May 1, 2030 – Jul 31, 2030 (In progress)" in [
        title for _status, title in bars]
    # The formula-like title is text in the chart, escaped, not markup.
    assert "=HYPERLINK(&#34;http://evil.example&#34;)" in svg
    assert 'role="img"' in svg and "<title id=" in svg
    assert "style=" not in page
    # The table beside it lists every activity, the undated one too.
    table = re.search(r'<table class="plan-activities">.*?</table>', page, re.S).group(0)
    assert "Reporting" in table and "Coaching visits" in table


def test_the_timeline_scales_dates_left_to_right():
    rows = [timeline.TimelineRow("Early", date(2030, 1, 1), date(2030, 1, 31), "done", "Done"),
            timeline.TimelineRow("<b>Late</b>", date(2030, 3, 1), date(2030, 3, 1), "planned",
                                 "Planned")]
    svg = str(timeline.gantt_svg(rows, date(2030, 2, 15), "en", "Timeline"))
    bars = [(float(x), float(width)) for x, width in
            re.findall(r'<rect [^>]*x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]
    (early_x, early_width), (late_x, late_width) = bars
    # January is a third of January–March: the first bar covers about a third of the chart.
    chart = timeline.CHART_RIGHT - timeline.CHART_LEFT
    assert early_x == timeline.CHART_LEFT
    assert abs(early_width - chart * 31 / 90) < 1
    assert late_x > early_x + early_width and late_width >= timeline.MIN_BAR
    assert "&lt;b&gt;Late&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'class="gantt-today"' in svg and ">Jan 2030<" in svg and ">Mar 2030<" in svg
    assert str(timeline.gantt_svg([], date(2030, 1, 1), "en", "Timeline")) == ""
