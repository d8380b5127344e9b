"""The plan's activities as a timeline (Gantt) chart: an inline SVG drawn on the server.

No script and no ``style`` attribute (the Content-Security-Policy allows neither): shapes are
placed with SVG presentation attributes and coloured by classes of ``static/css/tandem.css``.
The chart is a picture for sighted readers; the page shows the same activities in a table
beside it, so the SVG is one image with a title, and each bar repeats its dates as a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import ceil

from babel.dates import format_date
from flask_babel import gettext as _
from markupsafe import Markup, escape

from learning.plans.country_models import CountryPlanActivity

WIDTH = 960
LABEL_RIGHT = 262  # activity names end here
CHART_LEFT = 272
CHART_RIGHT = WIDTH - 10
HEADER = 34  # month names
ROW = 26
BAR = 16
MIN_BAR = 4  # an activity of one day is still visible
MAX_LABEL_CHARS = 38
MAX_MONTH_LABELS = 12


@dataclass(frozen=True)
class TimelineRow:
    title: str
    start: date
    end: date
    status: str  # a class suffix: planned, in_progress, done, cancelled
    status_label: str


def rows_from(activities: Sequence[CountryPlanActivity],
              status_labels: dict[str, str]) -> list[TimelineRow]:
    """Activities with at least one date; one date alone makes a one-day bar."""
    rows = []
    for activity in activities:
        start = activity.start_date or activity.end_date
        end = activity.end_date or start
        if start is None or end is None:
            continue
        status = activity.status.value
        rows.append(TimelineRow(activity.title, start, end, status,
                                status_labels.get(status, status)))
    return rows


def _month_starts(first: date, last: date) -> list[date]:
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_LABEL_CHARS else text[:MAX_LABEL_CHARS - 1].rstrip() + "…"


def gantt_svg(rows: Sequence[TimelineRow], today: date, locale: str, title: str,
              chart_id: str = "timeline") -> Markup:
    """The chart, or an empty string when no activity has a date."""
    if not rows:
        return Markup("")
    first = min(row.start for row in rows).replace(day=1)
    last_day = max(row.end for row in rows)
    last = (last_day.replace(day=1) + timedelta(days=32)).replace(day=1)  # after the last month
    days = (last - first).days
    scale = (CHART_RIGHT - CHART_LEFT) / days
    height = HEADER + ROW * len(rows) + 8

    def x(day: date) -> float:
        return round(CHART_LEFT + (day - first).days * scale, 1)

    parts = [
        f'<svg class="gantt" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    months = _month_starts(first, last - timedelta(days=1))
    step = ceil(len(months) / MAX_MONTH_LABELS)
    for index, month in enumerate(months):
        parts.append(f'<line class="gantt-grid" x1="{x(month)}" y1="{HEADER - 6}" '
                     f'x2="{x(month)}" y2="{height}"/>')
        if index % step == 0:
            label = format_date(month, "MMM yyyy", locale=locale)
            parts.append(f'<text class="gantt-month" x="{x(month) + 3}" y="{HEADER - 12}">'
                         f'{escape(label)}</text>')
    for index, row in enumerate(rows):
        top = HEADER + index * ROW
        left = x(row.start)
        width = max(x(row.end + timedelta(days=1)) - left, MIN_BAR)
        tooltip = _("%(activity)s: %(start)s – %(end)s (%(status)s)", activity=row.title,
                    start=format_date(row.start, "medium", locale=locale),
                    end=format_date(row.end, "medium", locale=locale), status=row.status_label)
        parts.append(
            f'<text class="gantt-label" x="{LABEL_RIGHT}" y="{top + ROW / 2 + 4}" '
            f'text-anchor="end">{escape(_shorten(row.title))}</text>'
            f'<rect class="gantt-bar gantt-{row.status}" x="{left}" y="{top + (ROW - BAR) / 2}" '
            f'width="{round(width, 1)}" height="{BAR}" rx="3"><title>{escape(tooltip)}</title>'
            f'</rect>')
    if first <= today < last:
        parts.append(f'<line class="gantt-today" x1="{x(today)}" y1="{HEADER - 6}" '
                     f'x2="{x(today)}" y2="{height}"/>'
                     f'<text class="gantt-today-label" x="{x(today) + 3}" y="{height - 2}">'
                     f'{escape(_("Today"))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704 - every text part above is escaped
