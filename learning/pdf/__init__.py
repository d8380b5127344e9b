"""PDF documents with an embedded Unicode font (action plans, certificates).

The 14 built-in PDF fonts only cover Latin-1, so French text with ``œ`` or ``’`` (and the
``—`` used in unit titles) cannot be printed with them. DejaVu Sans is embedded instead
(subset to the glyphs used); its licence is ``fonts/LICENSE``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fpdf import FPDF

FONT_DIR = Path(__file__).parent / "fonts"
FONT_FAMILY = "DejaVu"
BODY_SIZE = 10.5


def new_document(language: str, title: str, author: str = "Tandem",
                 orientation: Literal["portrait", "landscape"] = "portrait") -> FPDF:
    """An A4 document (portrait unless asked), in ``language``, with DejaVu Sans (regular and
    bold) set."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.add_font(FONT_FAMILY, "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font(FONT_FAMILY, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    pdf.set_font(FONT_FAMILY, size=BODY_SIZE)
    pdf.set_lang(language)
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("Tandem")
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf
