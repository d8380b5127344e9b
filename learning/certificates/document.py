"""The certificate PDF: one A4 landscape page, in the holder's language or in both.

Everything printed comes from the frozen certificate row (name, cohort, achievements, serial,
code, issue date), and the document's metadata dates are the issue date, so rendering the
same certificate again gives the same bytes: the SHA-256 stored at issue keeps meaning
"this exact file".

The QR code is drawn as vector squares (segno computes the matrix), so it stays sharp at any
zoom and needs no image decoder. DejaVu Sans covers Latin (with Vietnamese), Greek, Cyrillic,
Armenian, Georgian, Hebrew and Arabic letters. fpdf2 reorders right-to-left text only when
shaping with the optional uharfbuzz, so the holder's name is put in display order here
(Arabic letters then print unjoined, but in the right order); scripts outside the font (CJK,
Indic) would print blank boxes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

import segno
from babel.dates import format_date, format_interval
from babel.lists import format_list
from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import TextDirection

from learning.certificates.links import verification_url
from learning.certificates.models import Certificate
from learning.pdf import FONT_FAMILY, new_document

PAGE_WIDTH, PAGE_HEIGHT = 297.0, 210.0  # A4 landscape, mm
MARGIN = 22.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
COLUMN_GAP = 12.0
QR_SIZE = 34.0
FOOTER_TOP = 160.0
PT = 0.3528  # mm per point

BRAND = (11, 95, 107)
INK = (29, 35, 41)
MUTED = (91, 102, 112)
MIRRORED = str.maketrans("()[]{}<>", ")(][}{><")


@dataclass(frozen=True)
class Wording:
    """Everything a certificate says in one language."""

    title: str
    certifies: str
    completed: str
    programme: str
    cohort: str
    achievements: list[str]
    issued_on: str
    serial_label: str
    verify_label: str


def programme_title() -> str:
    """The programme's name in the current locale (also shown on the verification page)."""
    return _("Training of Trainers in case-management supervision and coaching")


def languages_of(certificate: Certificate) -> list[str]:
    """``["en"]``, ``["fr"]`` or ``["en", "fr"]`` for a bilingual certificate."""
    return [language for language in certificate.language.split("+") if language] or ["en"]


def _wording(certificate: Certificate, language: str) -> Wording:
    cohort = certificate.cohort
    achievements = certificate.achievements or {}
    with force_locale(language):
        dates = format_interval(cohort.start_date, cohort.end_date, "yMMMMd", locale=language)
        lines = []
        modules = sorted(int(number) for number in achievements.get("modules") or [])
        if modules:
            lines.append(ngettext("Module %(list)s completed", "Modules %(list)s completed",
                                  len(modules),
                                  list=format_list([str(n) for n in modules], locale=language)))
        trainings = int(achievements.get("trainings_delivered") or 0)
        if trainings:
            lines.append(ngettext("%(num)d in-country training delivered",
                                  "%(num)d in-country trainings delivered", trainings))
        people = int(achievements.get("people_trained") or 0)
        if people:
            lines.append(ngettext("%(count)s person trained", "%(count)s people trained",
                                  people, count=format_decimal(people, locale=language)))
        return Wording(
            title=_("Certificate of completion"),
            certifies=_("This certifies that"),
            completed=_("has successfully completed the"),
            programme=programme_title(),
            cohort=_("Cohort: %(cohort)s (%(dates)s)", cohort=cohort.name, dates=dates),
            achievements=lines,
            issued_on=_("Issued on %(date)s",
                        date=format_date(_issue_date(certificate), "long", locale=language)),
            serial_label=_("Serial number"),
            verify_label=_("Verify this certificate at"),
        )


def _issue_date(certificate: Certificate) -> date:
    return certificate.issued_at.date()


def render_certificate_pdf(certificate: Certificate) -> bytes:
    """The one-page PDF of ``certificate``; the same certificate always gives the same bytes."""
    languages = languages_of(certificate)
    wordings = [_wording(certificate, language) for language in languages]
    issuers = list(current_app.config.get("CERTIFICATE_ISSUERS") or ("Tandem",))
    pdf = new_document(languages[0], f"{wordings[0].title} {certificate.serial}",
                       author=", ".join(issuers), orientation="landscape")
    pdf.set_creation_date(certificate.issued_at)
    pdf.set_subject(certificate.holder_name)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_page()

    _frame(pdf)
    _centred(pdf, " · ".join(issuers), y=24, size=11, colour=MUTED)
    columns = _columns(len(wordings))
    bilingual = len(wordings) > 1
    for wording, (x, width) in zip(wordings, columns, strict=True):
        _text(pdf, wording.title.upper(), x, 36, width, size=18 if bilingual else 26,
              bold=True, colour=BRAND)
        _text(pdf, wording.certifies, x, 52, width, size=12)
    _holder_name(pdf, certificate.holder_name)
    for wording, (x, width) in zip(wordings, columns, strict=True):
        _details(pdf, wording, x, width, bilingual)
    if bilingual:
        pdf.set_draw_color(*BRAND)
        pdf.set_line_width(0.3)
        divider = MARGIN + columns[0][1] + COLUMN_GAP / 2
        pdf.line(divider, 84, divider, FOOTER_TOP - 6)
    _footer(pdf, certificate, wordings)
    return bytes(pdf.output())


def _columns(count: int) -> list[tuple[float, float]]:
    width = (CONTENT_WIDTH - COLUMN_GAP * (count - 1)) / count
    return [(MARGIN + index * (width + COLUMN_GAP), width) for index in range(count)]


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(1.2)
    pdf.rect(9, 9, PAGE_WIDTH - 18, PAGE_HEIGHT - 18)
    pdf.set_line_width(0.3)
    pdf.rect(12.5, 12.5, PAGE_WIDTH - 25, PAGE_HEIGHT - 25)


def _line_height(size: float) -> float:
    return size * PT * 1.3


def _text(pdf: FPDF, text: str, x: float, y: float, width: float, *, size: float,
          bold: bool = False, colour: tuple[int, int, int] = INK, align: str = "C") -> float:
    """Print ``text`` wrapped within ``width`` from (x, y); return the y below it."""
    pdf.set_font(FONT_FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, _line_height(size), text, align=align)
    return pdf.get_y()


def _centred(pdf: FPDF, text: str, *, y: float, size: float,
             colour: tuple[int, int, int] = INK) -> float:
    return _text(pdf, text, MARGIN, y, CONTENT_WIDTH, size=size, colour=colour)


def display_order(text: str) -> str:
    """``text`` with its right-to-left runs in the order they are seen, left to right."""
    if not any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
        return text
    base = auto_detect_base_direction(text)
    runs = [run[::-1].translate(MIRRORED) if direction is TextDirection.RTL else run
            for run, direction in BidiParagraph(text=text, base_direction=base)
            .get_bidi_fragments()]
    return "".join(reversed(runs) if base is TextDirection.RTL else runs)


def _holder_name(pdf: FPDF, name: str) -> None:
    """The name on one line, as large as fits (long names shrink rather than wrap)."""
    name = display_order(name)
    size = 30.0
    pdf.set_font(FONT_FAMILY, "B", size)
    while size > 14 and pdf.get_string_width(name) > CONTENT_WIDTH:
        size -= 1
        pdf.set_font(FONT_FAMILY, "B", size)
    _text(pdf, name, MARGIN, 62, CONTENT_WIDTH, size=size, bold=True)


def _details(pdf: FPDF, wording: Wording, x: float, width: float, bilingual: bool) -> None:
    scale = 0.85 if bilingual else 1.0
    y = _text(pdf, wording.completed, x, 84, width, size=12 * scale)
    y = _text(pdf, wording.programme, x, y + 1.5, width, size=17 * scale, bold=True,
              colour=BRAND)
    y = _text(pdf, wording.cohort, x, y + 3, width, size=12 * scale)
    y += 3
    for line in wording.achievements:
        y = _text(pdf, line, x, y, width, size=11 * scale)
    _text(pdf, wording.issued_on, x, y + 3, width, size=11 * scale, colour=MUTED)


def _footer(pdf: FPDF, certificate: Certificate, wordings: list[Wording]) -> None:
    """Serial number and verification address on the left, the QR code on the right."""
    url = verification_url(certificate.code)
    text_width = CONTENT_WIDTH - QR_SIZE - 8
    y = FOOTER_TOP + 2
    y = _text(pdf, " / ".join(w.serial_label for w in wordings), MARGIN, y, text_width,
              size=9, colour=MUTED, align="L")
    y = _text(pdf, certificate.serial, MARGIN, y, text_width, size=12, bold=True, align="L")
    y = _text(pdf, " / ".join(w.verify_label for w in wordings), MARGIN, y + 2, text_width,
              size=9, colour=MUTED, align="L")
    _text(pdf, url, MARGIN, y, text_width, size=10, align="L")
    pdf.link(MARGIN, y, pdf.get_string_width(url), _line_height(10), url)
    _qr_code(pdf, url, x=PAGE_WIDTH - MARGIN - QR_SIZE, y=FOOTER_TOP - 2, size=QR_SIZE)


def _qr_code(pdf: FPDF, data: str, *, x: float, y: float, size: float) -> None:
    """The QR code of ``data`` as filled squares, quiet zone included, in ``size`` mm."""
    code = segno.make(data, error="m", micro=False)
    rows = [list(row) for row in code.matrix_iter(border=4)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(rows):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run = column
            while run < len(row) and row[run]:
                run += 1
            # One rectangle per run of dark modules: fewer drawing operations, no seams.
            pdf.rect(x + column * module, y + row_index * module, (run - column) * module,
                     module, style="F")
            column = run
