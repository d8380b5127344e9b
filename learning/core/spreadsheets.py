"""Cells that spreadsheet programs show as typed and never run as formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

# A cell starting with one of these can be read as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Put a leading quote before a formula trigger, so the cell stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def csv_cell(value: str | float | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(value) if isinstance(value, str) else str(value)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[str | float | date | None]],
              ) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read the accents right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(header) for header in headers])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
