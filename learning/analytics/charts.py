"""Plotly figure specs as plain dicts, built by pure functions from a figure's table.

The chart says the same as the accessible table beside it (same rows, same numbers), so
each function takes the :class:`~learning.analytics.framework.Table` and the keys of the
columns to draw. ``static/js/charts.js`` hands the dict to ``Plotly.newPlot`` as it is;
no Plotly Python package is involved. Labels are already translated; the number format
(decimal separator) follows the reader's locale through ``layout.separators``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import get_locale

from learning.analytics.framework import Table

# Colour-blind-safe (Okabe–Ito) hues: before/after and a 5-point rating scale.
BEFORE, AFTER = "#999999", "#0072B2"
SCALE = ("#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#009E73", "#0072B2", "#CC79A7")


def _layout(**extra: Any) -> dict[str, Any]:
    locale = str(get_locale() or "en")
    layout: dict[str, Any] = {
        "separators": ", " if locale == "fr" else ".,",
        "margin": {"l": 60, "r": 20, "t": 20, "b": 90},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.25},
        "font": {"family": "system-ui, sans-serif", "size": 13},
    }
    layout.update(extra)
    return layout


def _percent_axis() -> dict[str, Any]:
    return {"tickformat": ".0%", "range": [0, 1], "rangemode": "tozero"}


def _data_rows(table: Table) -> list[dict[str, Any]]:
    return list(table.rows)


def _label(table: Table, key: str) -> str:
    return next((column.label for column in table.columns if column.key == key), key)


def funnel(table: Table, step_labels: Sequence[str]) -> dict[str, Any]:
    """Share of enrolled people who did each pre-course step, one bar group per cohort."""
    rows = _data_rows(table)
    data = [
        {"type": "bar", "name": label,
         "x": [row["cohort"] for row in rows],
         "y": [row.get(f"step_{index}_share") for row in rows],
         "marker": {"color": SCALE[index % len(SCALE)]},
         "hovertemplate": "%{x}: %{y:.0%}<extra>" + label + "</extra>"}
        for index, label in enumerate(step_labels)
    ]
    return {"data": data, "layout": _layout(barmode="group", yaxis=_percent_axis())}


def paired_bars(table: Table, label_key: str, before_key: str,
                after_key: str) -> dict[str, Any]:
    """Before and after side by side for each row (knowledge per country, cohort, objective).
    Long labels (objectives) are cut on the axis; the table gives them whole."""
    rows = _data_rows(table)
    labels = [_short(str(row[label_key])) for row in rows]
    data = [
        {"type": "bar", "name": _label(table, key), "x": labels,
         "y": [row.get(key) for row in rows], "marker": {"color": colour},
         "hovertemplate": "%{x}: %{y:.0%}<extra></extra>"}
        for key, colour in ((before_key, BEFORE), (after_key, AFTER))
    ]
    return {"data": data, "layout": _layout(barmode="group", yaxis=_percent_axis())}


def stacked_shares(table: Table, share_keys: Sequence[str]) -> dict[str, Any]:
    """100 % stacked bars: one bar per (area, time) row, one segment per rating."""
    rows = _data_rows(table)
    categories = [[_short(str(row["area"]), 30) for row in rows], [row["time"] for row in rows]]
    data = [
        {"type": "bar", "name": _label(table, key), "x": categories,
         "y": [row.get(key) for row in rows], "marker": {"color": SCALE[index % len(SCALE)]},
         "hovertemplate": "%{y:.0%}<extra>" + _label(table, key) + "</extra>"}
        for index, key in enumerate(share_keys)
    ]
    return {"data": data, "layout": _layout(barmode="stack", yaxis=_percent_axis())}


def share_bars(table: Table, label_key: str, share_key: str) -> dict[str, Any]:
    """One bar per row: a share (e.g. who rose, per country)."""
    rows = _data_rows(table)
    data = [{"type": "bar", "name": _label(table, share_key),
             "x": [row[label_key] for row in rows], "y": [row.get(share_key) for row in rows],
             "marker": {"color": AFTER}, "hovertemplate": "%{x}: %{y:.0%}<extra></extra>"}]
    return {"data": data, "layout": _layout(yaxis=_percent_axis(), showlegend=False)}


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
