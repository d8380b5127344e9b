"""A dashboard figure's table as CSV or XLSX, with the headers in the reader's language.

Both files hold the numbers the table shows, unformatted so a spreadsheet can compute
with them: counts as integers, percentages as fractions (0.893; the XLSX cell is
formatted as a percentage), dates as ISO dates. Text cells are neutralised against
formula injection (a participant's name could start with "=").
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import xlsxwriter
from flask_babel import gettext as _

from learning.analytics.framework import Column, Figure
from learning.core.spreadsheets import neutralise


def _plain(value: Any, column: Column) -> Any:
    """The cell's value for a spreadsheet: a number, an ISO date, text or None."""
    if value is None:
        return None
    if column.kind in ("count",):
        return int(value)
    if column.kind in ("percent", "number"):
        return round(float(value), 4)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def figure_csv(figure: Figure) -> str:
    """UTF-8 with a BOM, so spreadsheet programs read accented names right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = figure.table.columns
    writer.writerow([neutralise(column.label) for column in columns])
    for row in figure.table.rows:
        cells = [_plain(row.get(column.key), column) for column in columns]
        writer.writerow(["" if cell is None else cell for cell in cells])
    return "\ufeff" + buffer.getvalue()


def figure_xlsx(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_("Data")[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    percent = workbook.add_format({"num_format": "0.0%"})
    columns = figure.table.columns
    for index, column in enumerate(columns):
        sheet.write_string(0, index, neutralise(column.label), bold)
        sheet.set_column(index, index, 14 if column.kind != "text" else 28)
    for row_number, row in enumerate(figure.table.rows, start=1):
        for index, column in enumerate(columns):
            value = _plain(row.get(column.key), column)
            if value is None:
                sheet.write_blank(row_number, index, None)
            elif isinstance(value, int | float):
                sheet.write_number(row_number, index, value,
                                   percent if column.kind == "percent" else None)
            else:
                sheet.write_string(row_number, index, value)
    last = len(figure.table.rows) + 2
    sheet.write_string(last, 0, neutralise(figure.title))
    sheet.write_string(last + 1, 0, _("n = %(n)d", n=figure.n))
    sheet.write_string(last + 2, 0, _("Data as of %(when)s (UTC)",
                                      when=figure.as_of.strftime("%Y-%m-%d %H:%M")))
    if figure.note:
        sheet.write_string(last + 3, 0, neutralise(figure.note))
    workbook.close()
    return buffer.getvalue()
