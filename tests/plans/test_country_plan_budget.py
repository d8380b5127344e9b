"""The plan's figures: budget totals per activity and overall, per currency (never added
across currencies), with the funding breakdown; amounts typed the reader's way; trainings
planned against those delivered (reports approved in the roll-out package)."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency
from sqlalchemy import select

from learning.db import db
from learning.plans import country_services
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    BudgetLine,
    CountryPlan,
    CountryPlanActivity,
)
from learning.rollout.models import ReportStatus, Training, TrainingReport
from tests.plans.test_country_plan import (  # noqa: F401 - plan_world is a fixture
    add_activity,
    client_for,
    open_form,
    plan_url,
    plan_world,
    text_of,
)


def _activity_ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return {title: id_ for id_, title in db.session.execute(
            select(CountryPlanActivity.id, CountryPlanActivity.title))}


def _add_line(browser, ids, **fields: str):  # type: ignore[no-untyped-def]
    form = open_form(browser, plan_url(ids), plan_url(ids, "/budget"))
    form.update(fields)
    return browser.post(plan_url(ids, "/budget"), data=form)


def _lines_and_totals(app, ids):  # type: ignore[no-untyped-def]
    with app.app_context():
        plan = db.session.get(CountryPlan, ids["plan"])
        return country_services.plan_details(plan)


def test_totals_per_currency_and_per_activity_are_never_mixed(app, plan_world):  # noqa: F811
    people, ids = plan_world
    alice = client_for(app, people["alice"])  # English: "1,333" is one thousand three hundred
    bruno = client_for(app, people["bruno"])  # French: "15,55" is fifteen and fifty-five cents
    add_activity(alice, ids, title="Training in Gitega", start_date="2030-04-06")
    add_activity(alice, ids, title="Print the modules", category="translation")
    activity = _activity_ids(app)
    training, printing = str(activity["Training in Gitega"]), str(activity["Print the modules"])
    for browser, fields in [
            (alice, {"item": "Venue, 3 days", "activity_id": training, "unit_cost": "250",
                     "quantity": "3", "currency": "USD", "funding_status": "secured"}),
            (alice, {"item": "Transport", "activity_id": training, "unit_cost": "15.50",
                     "quantity": "12", "currency": "USD", "funding_status": "requested"}),
            (bruno, {"item": "Stationery", "activity_id": training, "unit_cost": "15,55",
                     "quantity": "2,5", "currency": "USD", "funding_status": "gap"}),
            (alice, {"item": "Printing", "activity_id": printing, "unit_cost": "12,500",
                     "quantity": "40", "currency": "BIF", "funding_status": "gap"}),
            (bruno, {"item": "Snacks", "activity_id": "", "unit_cost": "1 333",
                     "quantity": "3", "currency": "BIF", "funding_status": "secured"})]:
        assert _add_line(browser, ids, **fields).status_code == 302, fields

    details = _lines_and_totals(app, ids)
    assert [(line.item, line.unit_cost, line.quantity, line.total) for line in details.lines] == [
        ("Venue, 3 days", Decimal("250.00"), Decimal("3.00"), Decimal("750.00")),
        ("Transport", Decimal("15.50"), Decimal("12.00"), Decimal("186.00")),
        ("Stationery", Decimal("15.55"), Decimal("2.50"), Decimal("38.88")),  # 38.875, half up
        ("Printing", Decimal("12500.00"), Decimal("40.00"), Decimal("500000.00")),
        ("Snacks", Decimal("1333.00"), Decimal("3.00"), Decimal("3999.00"))]
    totals = [(t.currency, t.total, t.secured, t.requested, t.gap)
              for t in details.budget.overall]
    assert totals == [
        ("BIF", Decimal("503999.00"), Decimal("3999.00"), Decimal("0.00"), Decimal("500000.00")),
        ("USD", Decimal("974.88"), Decimal("750.00"), Decimal("186.00"), Decimal("38.88"))]
    by_activity = {key: [(t.currency, t.total) for t in value]
                   for key, value in details.budget.by_activity.items()}
    assert by_activity == {int(training): [("USD", Decimal("974.88"))],
                           int(printing): [("BIF", Decimal("500000.00"))],
                           None: [("BIF", Decimal("3999.00"))]}

    page = text_of(alice.get(plan_url(ids)))
    totals_table = re.search(r"<caption>Totals per currency</caption>.*?</table>", page,
                             re.S).group(0)
    assert "$974.88" in totals_table and "$750.00" in totals_table
    for amount in ("503999", "500000", "3999"):
        assert format_currency(Decimal(amount), "BIF", locale="en") in totals_table
    # Nothing adds dollars and francs together anywhere on the page.
    for mixed in ("504,973.88", "504,973", "504973"):
        assert mixed not in page
    # The French reader sees French money.
    french = text_of(bruno.get(plan_url(ids)))
    assert format_currency(Decimal("974.88"), "USD", locale="fr") in french
    assert format_currency(Decimal("503999"), "BIF", locale="fr") in french


def test_amounts_that_cannot_be_stored_are_refused(app, plan_world):  # noqa: F811
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    base = {"item": "Venue", "activity_id": "", "unit_cost": "100", "quantity": "1",
            "currency": "USD", "funding_status": "secured"}
    for change, message in [
            ({"unit_cost": "-5"}, "Enter an amount from 0 to 999,999,999,999.99."),
            ({"unit_cost": "12.505"}, "Use at most two decimals."),
            ({"unit_cost": "1e3"}, "Enter a number, such as 1,250.50."),
            ({"unit_cost": ""}, "Enter the unit cost."),
            ({"quantity": "NaN"}, "Enter a number, such as 1,250.50."),
            ({"currency": "XYZ"}, "Not a valid choice."),
            ({"funding_status": ""}, "Say whether the money is secured, requested or missing.")]:
        refused = _add_line(alice, ids, **{**base, **change})
        assert refused.status_code == 400, change
        assert message in text_of(refused), change
    with app.app_context():
        assert db.session.scalar(select(BudgetLine.id)) is None


def test_a_line_tied_to_a_removed_activity_stays_in_the_budget(app, plan_world):  # noqa: F811
    people, ids = plan_world
    alice = client_for(app, people["alice"])
    add_activity(alice, ids, title="Coaching visits", category="coaching")
    coaching = _activity_ids(app)["Coaching visits"]
    _add_line(alice, ids, item="Fuel", activity_id=str(coaching), unit_cost="40", quantity="5",
              currency="USD", funding_status="requested")
    url = plan_url(ids, f"/activities/{coaching}")
    remove = open_form(alice, url, f"{url}/remove")
    assert alice.post(f"{url}/remove", data=remove).status_code == 302
    details = _lines_and_totals(app, ids)
    assert [(line.item, line.activity_id) for line in details.lines] == [("Fuel", None)]
    assert [(t.currency, t.total) for t in details.budget.by_activity[None]] == [
        ("USD", Decimal("200.00"))]


def _training(plan_world, activity_id: int, status: ReportStatus) -> Training:  # noqa: F811
    people, ids = plan_world
    training = Training(cohort_id=ids["cohort"], country_code="BI",
                        trainer_id=people["alice"].id, plan_activity_id=activity_id)
    training.report = TrainingReport(status=status)
    return training


def test_trainings_planned_and_delivered(app, plan_world):  # noqa: F811
    people, ids = plan_world
    with app.app_context():
        activities = {}
        for title, category, status in [
                ("Training in Gitega", ActivityCategory.TRAINING, ActivityStatus.DONE),
                ("Training in Ngozi", ActivityCategory.TRAINING, ActivityStatus.PLANNED),
                ("Training in Bururi", ActivityCategory.TRAINING, ActivityStatus.CANCELLED),
                ("Preparation meeting", ActivityCategory.PREPARATION, ActivityStatus.DONE)]:
            activity = CountryPlanActivity(plan_id=ids["plan"], title=title, category=category,
                                           status=status)
            db.session.add(activity)
            db.session.flush()
            activities[title] = activity.id
        plan = db.session.get(CountryPlan, ids["plan"])
        plan.target_trainings = 4
        db.session.add_all([
            # Gitega: two sessions, both reports approved.
            _training(plan_world, activities["Training in Gitega"], ReportStatus.APPROVED),
            _training(plan_world, activities["Training in Gitega"], ReportStatus.APPROVED),
            # Ngozi: held, but its report is still with the focal point: not delivered yet.
            _training(plan_world, activities["Training in Ngozi"], ReportStatus.SUBMITTED),
            # Bururi was cancelled in the plan, yet a training was given and approved.
            _training(plan_world, activities["Training in Bururi"], ReportStatus.APPROVED)])
        db.session.commit()

        delivery = country_services.plan_details(plan).delivery
        assert [(row.activity.title, row.planned, row.delivered) for row in delivery.rows] == [
            ("Training in Gitega", 1, 2), ("Training in Ngozi", 1, 0),
            ("Training in Bururi", 0, 1)]
        assert (delivery.planned, delivery.delivered, delivery.target) == (2, 3, 4)
        overview = country_services.plan_overview(ids["cohort"], "BI")
        assert overview is not None and overview.trainings_planned == 2

    page = text_of(client_for(app, people["coordinator"]).get(plan_url(ids)))
    table = re.search(r'<table class="plan-delivery">.*?</table>', page, re.S).group(0)
    cells = [re.sub(r"\s+", " ", cell).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)]
    assert cells[3:] == ["Training in Gitega", "1", "2", "Training in Ngozi", "1", "0",
                         "Training in Bururi", "0", "1", "All trainings", "2", "3",
                         "Target", "4", ""]
