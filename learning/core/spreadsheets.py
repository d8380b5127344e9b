"""Cells that spreadsheet programs show as typed and never run as formulas."""

from __future__ import annotations

# A cell starting with one of these can be read as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Put a leading quote before a formula trigger, so the cell stays text."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text
