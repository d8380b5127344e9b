"""The programme report as a PDF (fpdf2): summary, then each figure as bars and a table.

Bars are plain rectangles, so the document is made offline in a few milliseconds; all text
is real text (searchable, copyable, read aloud), in the reader's language.
"""

from __future__ import annotations

from flask_babel import format_datetime
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import TableCellFillMode
from fpdf.fonts import FontFace

from learning.analytics.report import Chart, Report, ReportFigure, format_value
from learning.pdf import FONT_FAMILY, new_document

# Okabe–Ito blue and grey, as on the dashboards: one bar series, or before/after.
SERIES_COLOURS = ((0, 114, 178), (153, 153, 153))
LABEL_WIDTH = 58.0
BAR_SPACE = 95.0
BAR_HEIGHT = 3.6
MUTED = (90, 90, 90)
ROW_SHADE = (244, 246, 248)
HEADING_SHADE = (226, 232, 238)


def render_report_pdf(report: Report, language: str) -> bytes:
    title = _("Programme report")
    pdf = new_document(language, f"{title} — {report.subject.name()}")
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.multi_cell(0, 6, report.subject.name(), new_x="LMARGIN", new_y="NEXT")
    _small(pdf, _("Data as of %(date)s.", date=format_datetime(report.as_of, "medium")))
    if report.scope_note:
        _small(pdf, report.scope_note)
    pdf.ln(2)
    pdf.set_font(FONT_FAMILY, "B", 12)
    pdf.cell(0, 7, _("Summary"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_FAMILY, "", 10.5)
    text = " ".join(report.summary) or _("There are no figures for this report yet.")
    pdf.multi_cell(0, 5.2, text, new_x="LMARGIN", new_y="NEXT")
    for item in report.figures:
        _figure(pdf, item)
    return bytes(pdf.output())


def _small(pdf: FPDF, text: str) -> None:
    pdf.set_font(FONT_FAMILY, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.2, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)


def _figure(pdf: FPDF, item: ReportFigure) -> None:
    figure = item.figure
    pdf.ln(3)
    if pdf.will_page_break(30):
        pdf.add_page()
    pdf.set_font(FONT_FAMILY, "B", 11)
    pdf.multi_cell(0, 6, figure.title, new_x="LMARGIN", new_y="NEXT")
    _small(pdf, _("n = %(n)d · data as of %(date)s", n=figure.n,
                  date=format_datetime(figure.as_of, "short")))
    if item.chart is not None:
        _bars(pdf, item.chart)
    if figure.table.rows:
        _table(pdf, item)
    if figure.note:
        _small(pdf, figure.note)


def _bars(pdf: FPDF, chart: Chart) -> None:
    pdf.ln(1)
    named = [label for label, _values in chart.series if label]
    if len(named) > 1:
        x = pdf.l_margin
        pdf.set_font(FONT_FAMILY, "", 8)
        for index, label in enumerate(named):
            pdf.set_fill_color(*SERIES_COLOURS[index % len(SERIES_COLOURS)])
            pdf.rect(x, pdf.get_y() + 0.8, 3, 3, style="F")
            pdf.set_x(x + 4)
            pdf.cell(pdf.get_string_width(label) + 2, 4.6, label)
            x = pdf.get_x() + 4
        pdf.ln(5)
    pdf.set_font(FONT_FAMILY, "", 8)
    for position, category in enumerate(chart.categories):
        height = BAR_HEIGHT * len(chart.series) + 1.2
        if pdf.will_page_break(height):
            pdf.add_page()
        top = pdf.get_y()
        pdf.set_xy(pdf.l_margin, top)
        pdf.cell(LABEL_WIDTH, BAR_HEIGHT, _fit(pdf, category, LABEL_WIDTH - 2))
        for index, (_label, values) in enumerate(chart.series):
            value = values[position]
            y = top + index * BAR_HEIGHT
            x = pdf.l_margin + LABEL_WIDTH
            width = BAR_SPACE * (value or 0) / chart.maximum
            pdf.set_fill_color(*SERIES_COLOURS[index % len(SERIES_COLOURS)])
            if width > 0:
                pdf.rect(x, y + 0.4, width, BAR_HEIGHT - 0.8, style="F")
            pdf.set_xy(x + width + 1.5, y)
            pdf.cell(25, BAR_HEIGHT, chart.text(value))
        pdf.set_xy(pdf.l_margin, top + height)
    pdf.ln(1)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    while text and pdf.get_string_width(text) > width:
        text = text[:-2] + "…" if len(text) > 2 else ""
    return text


def _table(pdf: FPDF, item: ReportFigure) -> None:
    columns = item.figure.table.columns
    pdf.set_font(FONT_FAMILY, "", 7.5)
    first = 2.2 if len(columns) > 3 else 1.5
    widths = (first, *(1.0 for _column in columns[1:]))
    # Cells are filled with the current fill colour (the last bar's otherwise).
    pdf.set_fill_color(*ROW_SHADE)
    with pdf.table(col_widths=widths, line_height=3.8, padding=0.8,
                   text_align=("LEFT", *("RIGHT" for _c in columns[1:])),
                   cell_fill_mode=TableCellFillMode.ROWS, cell_fill_color=ROW_SHADE,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_SHADE),
                   borders_layout="HORIZONTAL_LINES") as table:
        header = table.row()
        for column in columns:
            header.cell(column.label)
        for row in item.figure.table.rows:
            cells = table.row()
            for column in columns:
                cells.cell(format_value(row.get(column.key), column.kind))
