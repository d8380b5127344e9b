"""The country plan as a spreadsheet (activities, budget with totals per currency, risks)
and as a PDF, in the reader's language (called inside a request: labels, dates and money
follow the request's locale).

In the XLSX every text cell goes through ``neutralise`` (a leading ``=``, ``+``, ``-`` or ``@``
never becomes a formula), amounts and counts are numbers and dates are dates, so the sheets
can be sorted and summed. Totals are written as values, one row per currency: a formula
adding every line would add different currencies together.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import xlsxwriter
from flask_babel import LazyString, format_date, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from learning.cohorts.models import Cohort
from learning.core.spreadsheets import neutralise
from learning.i18n.countries import country_name
from learning.pdf import FONT_FAMILY, new_document
from learning.plans import country_labels as labels
from learning.plans.country_services import CurrencyTotal, PlanDetails
from learning.plans.money import format_money

Cell = str | int | Decimal | date | None
LINE = 5.5  # mm, for 10.5 pt text


def _field(section: str, name: str) -> str:
    return str(labels.FIELDS[section][name])


def _label(table: dict[str, LazyString], value: str) -> str:
    return str(table.get(value, value))


# --- XLSX --------------------------------------------------------------------------------------


def activity_rows(details: PlanDetails) -> tuple[tuple[str, ...], list[tuple[Cell, ...]]]:
    headers = (*(_field("activities", name) for name in (
        "title", "category", "owner_name", "organisation", "start_date", "end_date", "status",
        "depends_on")), _("Trainings planned"), _("Trainings delivered (approved reports)"))
    delivered = {row.activity.id: row for row in details.delivery.rows}
    rows: list[tuple[Cell, ...]] = []
    for activity in details.activities:
        waits_for = [details.activity(other) for other in details.depends_on[activity.id]]
        row = delivered.get(activity.id)
        rows.append((
            activity.title, _label(labels.CATEGORY, activity.category.value),
            activity.owner_name, activity.organisation, activity.start_date, activity.end_date,
            _label(labels.ACTIVITY_STATUS, activity.status.value),
            ", ".join(other.title for other in waits_for if other is not None),
            row.planned if row else 0, row.delivered if row else 0))
    return headers, rows


def _total_cells(total: CurrencyTotal) -> tuple[Cell, ...]:
    return (total.currency, total.total, total.secured, total.requested, total.gap)


def _write(sheet: xlsxwriter.worksheet.Worksheet, row_number: int, cells: tuple[Cell, ...],
           formats: dict[str, xlsxwriter.format.Format], style: str | None = None) -> None:
    for column, value in enumerate(cells):
        if value is None or value == "":
            continue
        if isinstance(value, str):
            sheet.write_string(row_number, column, neutralise(value),
                               formats[style] if style else None)
        elif isinstance(value, date):
            sheet.write_datetime(row_number, column, value, formats["date"])
        elif isinstance(value, Decimal):
            sheet.write_number(row_number, column, float(value), formats["money"])
        else:
            sheet.write_number(row_number, column, value)


def plan_xlsx(details: PlanDetails) -> bytes:
    buffer = io.BytesIO()
    # Strings stay strings: never turned into formulas, links or numbers by the writer.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    formats = {"bold": workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"}),
               "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
               "money": workbook.add_format({"num_format": "#,##0.00"})}

    def sheet_with(name: str, headers: tuple[str, ...]) -> xlsxwriter.worksheet.Worksheet:
        sheet = workbook.add_worksheet(name[:31])
        _write(sheet, 0, headers, formats, "bold")
        for column, header in enumerate(headers):
            sheet.set_column(column, column, min(max(len(header), 12), 40))
        sheet.freeze_panes(1, 0)
        return sheet

    headers, rows = activity_rows(details)
    activities = sheet_with(_("Activities"), headers)
    for number, row in enumerate(rows, start=1):
        _write(activities, number, row, formats)

    budget = sheet_with(_("Budget"), (
        _field("budget", "item"), _field("budget", "activity_id"), _field("budget", "unit_cost"),
        _field("budget", "quantity"), _field("budget", "currency"), _("Line total"),
        _field("budget", "funding_status")))
    number = 0
    for number, line in enumerate(details.lines, start=1):
        activity = details.activity(line.activity_id)
        _write(budget, number, (
            line.item, activity.title if activity else "", line.unit_cost, line.quantity,
            line.currency, line.total,
            _label(labels.FUNDING, line.funding_status.value)), formats)
    totals_headers = (_("Currency"), _("Total"), _label(labels.FUNDING, "secured"),
                      _label(labels.FUNDING, "requested"), _label(labels.FUNDING, "gap"))
    number += 2
    _write(budget, number, (_("Totals per currency"),), formats, "bold")
    _write(budget, number + 1, totals_headers, formats, "bold")
    number += 1
    for total in details.budget.overall:
        number += 1
        _write(budget, number, _total_cells(total), formats)
    number += 2
    _write(budget, number, (_("Totals per activity"),), formats, "bold")
    _write(budget, number + 1, (_field("budget", "activity_id"), *totals_headers), formats,
           "bold")
    number += 1
    for activity_id, totals in _activity_totals(details):
        activity = details.activity(activity_id)
        name = activity.title if activity else _("Not tied to one activity")
        for total in totals:
            number += 1
            _write(budget, number, (name, *_total_cells(total)), formats)

    risks = sheet_with(_("Risks"), tuple(_field("risks", name) for name in (
        "challenge", "description", "mitigation")))
    for number, risk in enumerate(details.risks, start=1):
        _write(risks, number, (_label(labels.CHALLENGE, risk.challenge.value), risk.description,
                               risk.mitigation), formats)
    workbook.close()
    return buffer.getvalue()


def _activity_totals(details: PlanDetails) -> list[tuple[int | None, tuple[CurrencyTotal, ...]]]:
    """Per activity in the plan's order, then the lines tied to no activity."""
    ordered: list[int | None] = [activity.id for activity in details.activities]
    ordered.append(None)
    return [(key, details.budget.by_activity[key]) for key in ordered
            if key in details.budget.by_activity]


# --- PDF -------------------------------------------------------------------------------------


def _paragraph(pdf: FPDF, text: str, size: float = 10.5, bold: bool = False,
               height: float = LINE) -> None:
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _heading(pdf: FPDF, section: str) -> None:
    pdf.ln(3)
    _paragraph(pdf, str(labels.SECTIONS[section]), size=13.5, bold=True, height=8)


def _facts(pdf: FPDF, section: str, values: list[tuple[str, str]]) -> None:
    shown = [(name, text) for name, text in values if text.strip()]
    if not shown:
        _paragraph(pdf, _("Not filled in yet."))
    for name, text in shown:
        _paragraph(pdf, _field(section, name), bold=True)
        _paragraph(pdf, text)
        pdf.ln(1)


def _count(value: int | None) -> str:
    return "" if value is None else str(value)


def _money_line(totals: tuple[CurrencyTotal, ...]) -> list[str]:
    return [_("%(total)s (secured %(secured)s, requested %(requested)s, gap %(gap)s)",
              total=format_money(t.total, t.currency), secured=format_money(t.secured, t.currency),
              requested=format_money(t.requested, t.currency), gap=format_money(t.gap, t.currency))
            for t in totals]


def plan_pdf(cohort: Cohort, details: PlanDetails, language: str, today: date) -> bytes:
    plan = details.plan
    country = country_name(plan.country_code, language)
    title = _("Country roll-out plan — %(country)s", country=country)
    pdf = new_document(language, title=title)
    pdf.add_page()
    _paragraph(pdf, title, size=17, bold=True, height=9)
    _paragraph(pdf, cohort.name, size=12.5, height=7)
    _paragraph(pdf, _("%(status)s · version %(version)d · printed on %(date)s",
                      status=_label(labels.PLAN_STATUS, plan.status.value), version=plan.version,
                      date=format_date(today, "long")))

    _heading(pdf, "context")
    _facts(pdf, "context", [("agencies", plan.agencies),
                            ("supervisors_to_reach", _count(plan.supervisors_to_reach)),
                            ("context_notes", plan.context_notes)])
    _heading(pdf, "targets")
    _facts(pdf, "targets", [("objectives", plan.objectives),
                            ("target_trainings", _count(plan.target_trainings)),
                            ("target_supervisors", _count(plan.target_supervisors)),
                            ("target_organisations", _count(plan.target_organisations)),
                            ("target_locations", plan.target_locations)])
    _paragraph(pdf, _("Trainings planned: %(planned)d · delivered (approved reports): "
                      "%(delivered)d", planned=details.delivery.planned,
                      delivered=details.delivery.delivered))

    _heading(pdf, "activities")
    if not details.activities:
        _paragraph(pdf, _("Not filled in yet."))
    for activity in details.activities:
        _paragraph(pdf, activity.title, size=11.5, bold=True, height=6)
        dates = " – ".join(format_date(day, "medium") for day in
                           (activity.start_date, activity.end_date) if day)
        facts = [_label(labels.CATEGORY, activity.category.value),
                 _label(labels.ACTIVITY_STATUS, activity.status.value), dates,
                 " · ".join(part for part in (activity.owner_name, activity.organisation) if part)]
        _paragraph(pdf, " · ".join(fact for fact in facts if fact))
        totals = details.budget.by_activity.get(activity.id, ())
        for text in _money_line(totals):
            _paragraph(pdf, _("Budget: %(amounts)s", amounts=text))
        pdf.ln(1.5)

    _heading(pdf, "budget")
    if not details.lines:
        _paragraph(pdf, _("Not filled in yet."))
    for line in details.lines:
        _paragraph(pdf, _("%(item)s: %(quantity)s × %(unit_cost)s = %(total)s (%(funding)s)",
                          item=line.item, quantity=format_decimal(line.quantity),
                          unit_cost=format_money(line.unit_cost, line.currency),
                          total=format_money(line.total,
                                             line.currency),
                          funding=_label(labels.FUNDING, line.funding_status.value)))
    if details.budget.overall:
        pdf.ln(1)
        _paragraph(pdf, _("Totals per currency"), bold=True)
        for text in _money_line(details.budget.overall):
            _paragraph(pdf, text)

    _heading(pdf, "risks")
    if not details.risks:
        _paragraph(pdf, _("Not filled in yet."))
    for risk in details.risks:
        _paragraph(pdf, _label(labels.CHALLENGE, risk.challenge.value), bold=True)
        if risk.description.strip():
            _paragraph(pdf, risk.description)
        _paragraph(pdf, _("Mitigation: %(text)s", text=risk.mitigation))
        pdf.ln(1.5)

    _heading(pdf, "follow_up")
    _facts(pdf, "follow_up", [
        ("call_frequency", _label(labels.CALL_FREQUENCY, plan.call_frequency.value)
         if plan.call_frequency else ""),
        ("follow_up_plan", plan.follow_up_plan)])
    return bytes(pdf.output())
