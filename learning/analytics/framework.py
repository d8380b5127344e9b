"""What every dashboard is made of: filters, scoped people, figures and a registry.

A dashboard is a function ``build(viewer, filters) -> list[Figure]``. Each figure carries
its numbers as a table (the accessible table beside the chart, the CSV/XLSX export and
the API all read it) and, optionally, a Plotly figure spec built by a pure function from
that same table. Builders run a few aggregate queries (GROUP BY in the database, never a
Python loop over people), so a dashboard costs the same at 100 or 100,000 participants.

Scope is applied once, in :func:`people`: whatever a builder counts, it counts among the
enrolments the viewer may see. Breakdowns of fewer than :data:`MIN_GROUP` people are
not shown (:func:`small`), so nobody can be singled out in a country of three.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from flask import current_app
from flask_babel import get_locale
from sqlalchemy import Select, and_, exists, false, select

from learning.accounts.models import Organisation, OrganisationType, Role, User
from learning.cohorts.models import CohortFacilitator, Enrolment, EnrolmentStatus
from learning.db import db
from learning.scope import scoped_countries

# Breakdowns (a country, a cohort, an organisation type) with fewer people than this are
# folded away: the total still counts them, the row is not shown.
MIN_GROUP = 5

# Enrolments that count as "ToT participants": nominated or confirmed. Alternates only
# count once they are confirmed; withdrawn people are left out of every figure.
COUNTED_STATUSES = (EnrolmentStatus.NOMINATED, EnrolmentStatus.CONFIRMED)


@dataclass(frozen=True)
class Filters:
    cohort_id: int | None = None
    country_code: str | None = None
    organisation_type: OrganisationType | None = None
    period_start: date | None = None  # events (completions, attempts, trainings) from …
    period_end: date | None = None  # … to, inclusive

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Filters:
        """Filters from a query string; a malformed value is ignored (treated as unset)."""
        def as_int(value: str | None) -> int | None:
            # Ids are 32-bit on both databases: anything larger matches nothing.
            number = int(value) if value and value.isdigit() else None
            return number if number is not None and number < 2**31 else None

        def as_date(value: str | None) -> date | None:
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                return None

        country = (args.get("country") or "").upper()
        organisation = args.get("organisation_type") or ""
        return cls(
            cohort_id=as_int(args.get("cohort")),
            country_code=country if len(country) == 2 and country.isalpha() else None,
            organisation_type=(OrganisationType(organisation)
                               if organisation in set(OrganisationType) else None),
            period_start=as_date(args.get("from")),
            period_end=as_date(args.get("to")),
        )

    def query_args(self) -> dict[str, str]:
        """The query string that gives these filters back (for links and exports)."""
        values = {
            "cohort": str(self.cohort_id) if self.cohort_id else "",
            "country": self.country_code or "",
            "organisation_type": self.organisation_type.value if self.organisation_type else "",
            "from": self.period_start.isoformat() if self.period_start else "",
            "to": self.period_end.isoformat() if self.period_end else "",
        }
        return {key: value for key, value in values.items() if value}


def people(viewer: User, filters: Filters) -> Select[tuple[int, int, str | None]]:
    """(user_id, cohort_id, country_code) of every counted enrolment the viewer may see.

    Use it as a subquery: ``scoped = people(viewer, filters).subquery()``. Scope: an admin
    sees everyone; a facilitator the cohorts they run; a focal point the people of their
    countries; a coordinator the people of their country; anyone else nobody.
    """
    query = (
        select(Enrolment.user_id, Enrolment.cohort_id, User.country_code)
        .join(User, User.id == Enrolment.user_id)
        .where(Enrolment.status.in_(COUNTED_STATUSES), User.role == Role.PARTICIPANT)
    )
    if viewer.role == Role.FACILITATOR:
        query = query.where(exists().where(CohortFacilitator.cohort_id == Enrolment.cohort_id,
                                           CohortFacilitator.user_id == viewer.id))
    elif viewer.role in (Role.FOCAL_POINT, Role.COORDINATOR):
        query = query.where(User.country_code.in_(scoped_countries(viewer) or []))
    elif viewer.role != Role.ADMIN:
        query = query.where(false())  # participants see no dashboards
    if filters.cohort_id is not None:
        query = query.where(Enrolment.cohort_id == filters.cohort_id)
    if filters.country_code is not None:
        query = query.where(User.country_code == filters.country_code)
    if filters.organisation_type is not None:
        query = query.where(exists().where(and_(Organisation.id == User.organisation_id,
                                                Organisation.type == filters.organisation_type)))
    return query


ColumnKind = Literal["text", "count", "percent", "number", "date"]


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # already translated into the reader's language
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    # One dict per row, keyed by column key. Percentages are fractions (0.89), formatted
    # by the template/export in the reader's locale ("89 %" in French); None shows "—".
    rows: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Figure:
    id: str  # stable, e.g. "precourse-funnel"; used in export URLs and the API
    title: str  # translated
    n: int  # how many people the figure is about (stated beside it)
    as_of: datetime  # the date of the data (when it was read)
    table: Table
    chart: dict[str, Any] | None = None  # Plotly spec {"data": [...], "layout": {...}}
    note: str = ""  # translated, e.g. "2 groups of fewer than 5 people are not shown."
    suppressed_groups: int = 0


@dataclass(frozen=True)
class Dashboard:
    slug: str  # URL part: /analytics/<slug>
    title: Callable[[], str]  # a lazy translation, read at render time
    build: Callable[[User, Filters], list[Figure]]
    # Where a reader would look for it first; ordered in the analytics menu.
    order: int = 100
    description: Callable[[], str] = field(default=lambda: "")


DASHBOARDS: dict[str, Dashboard] = {}


def register(dashboard: Dashboard) -> Dashboard:
    if dashboard.slug in DASHBOARDS:
        raise ValueError(f"dashboard {dashboard.slug!r} registered twice")
    DASHBOARDS[dashboard.slug] = dashboard
    return dashboard


def _scope_key(viewer: User) -> tuple[str, tuple[Any, ...]]:
    """What decides which rows a viewer's dashboards count (two viewers with the same key
    see the same figures)."""
    if viewer.role == Role.FACILITATOR:
        cohorts = db.session.scalars(select(CohortFacilitator.cohort_id).where(
            CohortFacilitator.user_id == viewer.id).order_by(CohortFacilitator.cohort_id))
        return viewer.role.value, tuple(cohorts)
    if viewer.role in (Role.FOCAL_POINT, Role.COORDINATOR):
        return viewer.role.value, tuple(sorted(scoped_countries(viewer) or []))
    return viewer.role.value, ()


class _BuiltDashboards:
    """Dashboards built recently, per process, by scope, filters and language.

    An admin's programme-wide dashboard aggregates every enrolment, progress row and
    attempt; serving the same figures again for a few minutes (each states the time of
    its data) keeps pages fast for the next readers. Bounded, least recently used out.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self.entries: OrderedDict[Hashable, tuple[float, list[Figure]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Hashable, max_age: float) -> list[Figure] | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or time.monotonic() - entry[0] > max_age:
                return None
            self.entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, figures: list[Figure]) -> None:
        with self.lock:
            self.entries[key] = (time.monotonic(), figures)
            self.entries.move_to_end(key)
            while len(self.entries) > self.capacity:
                self.entries.popitem(last=False)


_built = _BuiltDashboards()


def build_cached(dashboard: Dashboard, viewer: User, filters: Filters) -> list[Figure]:
    """The dashboard's figures, built at most once per ``ANALYTICS_CACHE_SECONDS`` for the
    same scope, filters and language."""
    max_age = current_app.config.get("ANALYTICS_CACHE_SECONDS", 0)
    if not max_age:
        return dashboard.build(viewer, filters)
    key = (dashboard.slug, _scope_key(viewer), filters, str(get_locale()))
    figures = _built.get(key, max_age)
    if figures is None:
        figures = dashboard.build(viewer, filters)
        _built.put(key, figures)
    return figures


def small(count: int) -> bool:
    """True when a breakdown row is too small to show (see :data:`MIN_GROUP`)."""
    return 0 < count < MIN_GROUP


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
