"""The roll-out dashboard: the cascade from ToT participants to supervisors trained, its
course over time, trainings planned against delivered, reports waiting for review and
certificates issued.

Definitions (stated in the figures' notes too):

- *ToT participants*: the counted enrolments the viewer may see (``people``); a person
  enrolled in two cohorts counts once per cohort.
- *Delivered training*: a training whose report is **approved** (the rule of the team page,
  the country plan and the certificate). Submitted reports still under review are not
  delivered yet; they show in ``reports-awaiting-review``.
- A training belongs to the row of its (lead) trainer: their cohort and country. It is in
  scope when its trainer is among ``people`` and, for focal points and coordinators, when
  the training's own country is one of theirs; the country filter applies to both.
- *Trainers who delivered*: ToT participants who led or co-led at least one delivered
  training of their cohort.
- *Organisations reached*: distinct organisations named in delivered trainings' reports;
  one organisation counts once per country (names compared without case or outer spaces,
  counted in the database), so the cohort rows may add up to more than the total.
- *Supervisors trained*: the trainees of delivered trainings (women + men + other), which
  the report requires to equal the sum by organisation type.
- Period filters: trainings by start date, reports by submission date, plan activities by
  start date, certificates by issue date.

Breakdown rows (a country, a cohort) with fewer than MIN_GROUP ToT participants are folded:
counted in the total row, not shown, and the note says how many.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import format_date, get_locale, gettext, lazy_gettext, ngettext
from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    and_,
    exists,
    extract,
    func,
    or_,
    select,
    union,
)

from learning.accounts.models import User
from learning.analytics.framework import (
    MIN_GROUP,
    Column,
    Dashboard,
    Figure,
    Filters,
    Table,
    people,
    register,
    share,
    small,
)
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import Cohort
from learning.db import db, utcnow
from learning.i18n.countries import country_name
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    CountryPlan,
    CountryPlanActivity,
)
from learning.rollout.models import (
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingReport,
)
from learning.rollout.services import PENDING
from learning.scope import scoped_countries

Key = tuple[int, str | None]  # (cohort id, country code) of a ToT participant


# --- the numbers, per (cohort, country) ------------------------------------------------------


@dataclass
class _Group:
    """Everything the figures need about one (cohort, country) team, already aggregated."""

    participants: int = 0
    trainers: int = 0  # participants who led or co-led a delivered training
    certified: int = 0  # participants with a valid certificate of that cohort
    trainings: int = 0  # delivered trainings they led
    trained: int = 0  # supervisors trained in those trainings
    fulfilled: int = 0  # plan activities with a delivered training
    planned: int = 0  # training activities of the team's roll-out plan
    organisations: int = 0  # distinct within the group (one per country and name)

    def add(self, other: _Group) -> None:
        self.participants += other.participants
        self.trainers += other.trainers
        self.certified += other.certified
        self.trainings += other.trainings
        self.trained += other.trained
        self.fulfilled += other.fulfilled
        self.planned += other.planned
        self.organisations += other.organisations


def _day_bounds(filters: Filters) -> tuple[datetime | None, datetime | None]:
    """The period as UTC instants: from the start of its first day to the end of its last."""
    start = (datetime.combine(filters.period_start, time.min, tzinfo=UTC)
             if filters.period_start else None)
    end = (datetime.combine(filters.period_end + timedelta(days=1), time.min, tzinfo=UTC)
           if filters.period_end else None)
    return start, end


def _in_period_days(column: Any, filters: Filters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.period_start:
        conditions.append(column >= filters.period_start)
    if filters.period_end:
        conditions.append(column <= filters.period_end)
    return conditions


def instants_in_period(column: Any, filters: Filters) -> list[ColumnElement[bool]]:
    start, end = _day_bounds(filters)
    conditions = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


class _Reader:
    """The queries of one build: each runs once, whichever figures need it."""

    def __init__(self, viewer: User, filters: Filters) -> None:
        self.viewer = viewer
        self.filters = filters
        self.scoped: Subquery = people(viewer, filters).subquery("scoped")
        self.as_of = utcnow()
        self._groups: dict[Key, _Group] | None = None
        self.country_organisations: dict[str | None, int] = {}

    def training_in_scope(self) -> list[ColumnElement[bool]]:
        """Conditions on ``Training`` beyond its trainer being in scope."""
        conditions: list[ColumnElement[bool]] = []
        countries = scoped_countries(self.viewer)
        if countries is not None:
            conditions.append(Training.country_code.in_(countries))
        if self.filters.country_code is not None:
            conditions.append(Training.country_code == self.filters.country_code)
        return conditions

    def delivered(self) -> list[ColumnElement[bool]]:
        return [TrainingReport.training_id == Training.id,
                TrainingReport.status == ReportStatus.APPROVED,
                *self.training_in_scope(),
                *_in_period_days(Training.start_date, self.filters)]

    def groups(self) -> dict[Key, _Group]:
        if self._groups is None:
            self._groups = self._read_groups()
        return self._groups

    def _read_groups(self) -> dict[Key, _Group]:
        p = self.scoped
        groups: dict[Key, _Group] = defaultdict(_Group)
        # Who delivered and who holds a certificate: each read once as a set of (person,
        # cohort), then joined to the people (a per-person EXISTS was slower at scale).
        delivered_by = union(
            select(Training.trainer_id.label("user_id"), Training.cohort_id.label("cohort_id"))
            .select_from(Training).join(TrainingReport, TrainingReport.training_id == Training.id)
            .where(*self.delivered()),
            select(TrainingCoTrainer.user_id, Training.cohort_id)
            .select_from(TrainingCoTrainer)
            .join(Training, Training.id == TrainingCoTrainer.training_id)
            .join(TrainingReport, TrainingReport.training_id == Training.id)
            .where(*self.delivered()),
        ).subquery("delivered_by")
        certified = (
            select(Certificate.user_id, Certificate.cohort_id)
            .where(Certificate.status == CertificateStatus.VALID,
                   *instants_in_period(Certificate.issued_at, self.filters))
            .group_by(Certificate.user_id, Certificate.cohort_id)
            .subquery("certified")
        )
        for cohort_id, country, participants, trainers, holders in db.session.execute(
            select(p.c.cohort_id, p.c.country_code, func.count(),
                   func.count(delivered_by.c.user_id), func.count(certified.c.user_id))
            .select_from(p)
            .outerjoin(delivered_by, and_(delivered_by.c.user_id == p.c.user_id,
                                          delivered_by.c.cohort_id == p.c.cohort_id))
            .outerjoin(certified, and_(certified.c.user_id == p.c.user_id,
                                       certified.c.cohort_id == p.c.cohort_id))
            .group_by(p.c.cohort_id, p.c.country_code)
        ):
            group = groups[(cohort_id, country)]
            group.participants, group.trainers, group.certified = participants, trainers, holders

        trained = Training.female_count + Training.male_count + Training.other_gender_count
        for cohort_id, country, trainings, people_trained, fulfilled in db.session.execute(
            select(p.c.cohort_id, p.c.country_code, func.count(Training.id),
                   func.coalesce(func.sum(trained), 0),
                   func.count(Training.plan_activity_id.distinct()))
            .select_from(p)
            .join(Training, and_(Training.trainer_id == p.c.user_id,
                                 Training.cohort_id == p.c.cohort_id))
            .join(TrainingReport, TrainingReport.training_id == Training.id)
            .where(*self.delivered())
            .group_by(p.c.cohort_id, p.c.country_code)
        ):
            group = groups[(cohort_id, country)]
            group.trainings, group.trained, group.fulfilled = (trainings, int(people_trained),
                                                               fulfilled)

        for cohort_id, country, organisations in db.session.execute(
            self._organisations(p.c.cohort_id, p.c.country_code)):
            groups[(cohort_id, country)].organisations = organisations
        self.country_organisations = dict(db.session.execute(
            self._organisations(p.c.country_code)).tuples().all())

        team = exists().where(p.c.cohort_id == CountryPlan.cohort_id,
                              p.c.country_code == CountryPlan.country_code)
        for cohort_id, country, planned in db.session.execute(
            select(CountryPlan.cohort_id, CountryPlan.country_code,
                   func.count(CountryPlanActivity.id))
            .join(CountryPlan, CountryPlan.id == CountryPlanActivity.plan_id)
            .where(CountryPlanActivity.category == ActivityCategory.TRAINING,
                   CountryPlanActivity.status != ActivityStatus.CANCELLED, team,
                   *_in_period_days(CountryPlanActivity.start_date, self.filters))
            .group_by(CountryPlan.cohort_id, CountryPlan.country_code)
        ):
            groups[(cohort_id, country)].planned = planned
        return dict(groups)

    def _organisations(self, *keys: Any) -> Select[Any]:
        """Distinct organisations reached per ``keys``, counted in the database: names
        compared without case and outer spaces (the team page also ignores accents and
        inner spacing, which SQL cannot do portably; see the report on a stored key)."""
        p = self.scoped
        name = func.lower(func.trim(TrainingOrganisation.name))
        return (
            select(*keys, func.count(name.distinct()))
            .select_from(p)
            .join(Training, and_(Training.trainer_id == p.c.user_id,
                                 Training.cohort_id == p.c.cohort_id))
            .join(TrainingReport, TrainingReport.training_id == Training.id)
            .join(TrainingOrganisation, TrainingOrganisation.training_id == Training.id)
            .where(*self.delivered(), TrainingOrganisation.name != "")
            .group_by(*keys)
        )

    def by_country(self) -> dict[str | None, _Group]:
        """Country rows: an organisation reached by two cohorts' teams counts once."""
        rows = _by(self.groups(), lambda key: key[1])
        for code, group in rows.items():
            group.organisations = self.country_organisations.get(code, 0)
        return rows

    def total(self) -> _Group:
        total = _total(self.groups())
        total.organisations = sum(self.country_organisations.values())
        return total

    def cohort_names(self, ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        return dict(db.session.execute(
            select(Cohort.id, Cohort.name).where(Cohort.id.in_(wanted))).tuples().all())

    @property
    def participants(self) -> int:
        return sum(group.participants for group in self.groups().values())


# --- shared presentation ---------------------------------------------------------------------


def _locale() -> str:
    return str(get_locale() or "en")


def _country_label(code: str | None) -> str:
    return country_name(code, _locale()) if code else gettext("No country")


def _folded_note(hidden: int) -> str:
    if not hidden:
        return ""
    return ngettext("%(num)d group of fewer than %(min)d people is not shown; "
                    "the total counts it.",
                    "%(num)d groups of fewer than %(min)d people are not shown; "
                    "the total counts them.", hidden, min=MIN_GROUP)


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _by(groups: dict[Key, _Group], key: Callable[[Key], Any]) -> dict[Any, _Group]:
    rolled: dict[Any, _Group] = defaultdict(_Group)
    for group_key, group in groups.items():
        rolled[key(group_key)].add(group)
    return dict(rolled)


def _total(groups: dict[Key, _Group]) -> _Group:
    total = _Group()
    for group in groups.values():
        total.add(group)
    return total


def _shown(rows: dict[Any, _Group]) -> tuple[list[tuple[Any, _Group]], int]:
    """The rows large enough to show, and how many were folded away."""
    shown = [(key, group) for key, group in rows.items() if not small(group.participants)]
    return shown, len(rows) - len(shown)


def chart_layout(**extra: Any) -> dict[str, Any]:
    """A Plotly layout whose numbers follow the reader's locale (decimal comma in French)."""
    layout: dict[str, Any] = {"separators": ", " if _locale() == "fr" else ".,",
                              "legend": {"orientation": "h"},
                              "margin": {"t": 20, "r": 10, "b": 90}}
    layout.update(extra)
    return layout


def _bar_chart(categories: list[str], series: list[tuple[str, list[Any]]], *,
               percent: bool = False, stacked: bool = False) -> dict[str, Any]:
    """A Plotly bar chart spec: one trace per series over the same categories."""
    layout = chart_layout(barmode="stack" if stacked else "group")
    if percent:
        layout["yaxis"] = {"tickformat": ".0%", "range": [0, 1]}
    return {"data": [{"type": "bar", "name": name, "x": categories, "y": values}
                     for name, values in series],
            "layout": layout}


def _line_chart(categories: list[str],
                series: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    return {"data": [{"type": "scatter", "mode": "lines+markers", "name": name,
                      "x": categories, "y": values} for name, values in series],
            "layout": chart_layout()}


# --- the cascade -----------------------------------------------------------------------------


def _cascade_columns(group_label: str) -> tuple[Column, ...]:
    return (
        Column("group", group_label),
        Column("participants", gettext("ToT participants"), "count"),
        Column("trainers", gettext("Trainers who delivered a training"), "count"),
        Column("trainers_share", gettext("Share of ToT participants"), "percent"),
        Column("trainings", gettext("Trainings delivered"), "count"),
        Column("organisations", gettext("Organisations reached"), "count"),
        Column("trained", gettext("Supervisors trained"), "count"),
    )


def _cascade_row(label: str, group: _Group) -> dict[str, Any]:
    return {"group": label, "participants": group.participants, "trainers": group.trainers,
            "trainers_share": share(group.trainers, group.participants),
            "trainings": group.trainings, "organisations": group.organisations,
            "trained": group.trained}


def _cascade_note(hidden: int) -> str:
    return _join(
        gettext("A training counts as delivered once its report is approved; trainers who "
                "delivered led or co-led at least one. Supervisors trained are the "
                "trainees of delivered trainings. An organisation counts once per "
                "country, whatever the case of its name."),
        _folded_note(hidden))


def _cascade_figure(reader: _Reader, figure_id: str, title: str, group_label: str,
                    rows: dict[Any, _Group], label: Callable[[Any], str],
                    order: Callable[[tuple[Any, _Group]], Any]) -> Figure:
    shown, hidden = _shown(rows)
    shown.sort(key=order)
    table_rows = [_cascade_row(label(key), group) for key, group in shown]
    total = reader.total()
    table_rows.append(_cascade_row(gettext("Total"), total))
    stages = ("participants", "trainers", "trainings", "organisations", "trained")
    columns = _cascade_columns(group_label)
    names = {column.key: column.label for column in columns}
    categories = [row["group"] for row in table_rows[:-1]]
    chart = _bar_chart(categories, [(names[stage], [row[stage] for row in table_rows[:-1]])
                                    for stage in stages]) if categories else None
    return Figure(id=figure_id, title=title, n=total.participants, as_of=reader.as_of,
                  table=Table(columns, tuple(table_rows)), chart=chart,
                  note=_cascade_note(hidden), suppressed_groups=hidden)


def cascade_by_country(reader: _Reader) -> Figure:
    rows = reader.by_country()
    return _cascade_figure(
        reader, "rollout-cascade-by-country", gettext("Roll-out cascade by country"),
        gettext("Country"), rows, _country_label,
        lambda item: _country_label(item[0]).casefold())


def cascade_by_cohort(reader: _Reader) -> Figure:
    rows = _by(reader.groups(), lambda key: key[0])
    names = reader.cohort_names(rows)
    return _cascade_figure(
        reader, "rollout-cascade-by-cohort", gettext("Roll-out cascade by cohort"),
        gettext("Cohort"), rows, lambda cohort_id: names.get(cohort_id, str(cohort_id)),
        lambda item: (names.get(item[0], ""), item[0]))


# --- over time -------------------------------------------------------------------------------


def rollout_over_time(reader: _Reader) -> Figure:
    p = reader.scoped
    year = extract("year", Training.start_date)
    month = extract("month", Training.start_date)
    trained = Training.female_count + Training.male_count + Training.other_gender_count
    rows = db.session.execute(
        select(year, month, func.count(Training.id), func.coalesce(func.sum(trained), 0))
        .select_from(p)
        .join(Training, and_(Training.trainer_id == p.c.user_id,
                             Training.cohort_id == p.c.cohort_id))
        .join(TrainingReport, TrainingReport.training_id == Training.id)
        .where(*reader.delivered())
        .group_by(year, month)
    ).all()
    undated = sum(count for year_value, _month, count, _trained in rows if year_value is None)
    dated = sorted((int(y), int(m), count, int(people_trained))
                   for y, m, count, people_trained in rows if y is not None)
    table_rows, trainings_so_far, trained_so_far = [], 0, 0
    for year_value, month_value, count, people_trained in dated:
        trainings_so_far += count
        trained_so_far += people_trained
        table_rows.append({
            "month": format_date(date(year_value, month_value, 1), "MMMM y"),
            "trainings": count, "trained": people_trained,
            "trainings_cumulative": trainings_so_far, "trained_cumulative": trained_so_far,
        })
    columns = (
        Column("month", gettext("Month")),
        Column("trainings", gettext("Trainings delivered"), "count"),
        Column("trained", gettext("Supervisors trained"), "count"),
        Column("trainings_cumulative", gettext("Trainings delivered so far"), "count"),
        Column("trained_cumulative", gettext("Supervisors trained so far"), "count"),
    )
    months = [row["month"] for row in table_rows]
    chart = _line_chart(months, [
        (columns[3].label, [row["trainings_cumulative"] for row in table_rows]),
        (columns[4].label, [row["trained_cumulative"] for row in table_rows]),
    ]) if table_rows else None
    note = gettext("Delivered trainings (report approved) by the month they started.")
    if undated:
        note = _join(note, ngettext("%(num)d delivered training has no start date and is "
                                    "not shown.",
                                    "%(num)d delivered trainings have no start date and are "
                                    "not shown.", undated))
    return Figure(id="rollout-over-time", title=gettext("Roll-out over time"),
                  n=reader.participants, as_of=reader.as_of,
                  table=Table(columns, tuple(table_rows)), chart=chart, note=note)


# --- planned against delivered ---------------------------------------------------------------


def planned_vs_delivered(reader: _Reader) -> Figure:
    rows = reader.by_country()
    shown, hidden = _shown(rows)
    shown.sort(key=lambda item: _country_label(item[0]).casefold())

    def row(label: str, group: _Group) -> dict[str, Any]:
        return {"country": label, "planned": group.planned, "delivered": group.trainings,
                "fulfilled": group.fulfilled, "share": share(group.trainings, group.planned)}

    table_rows = [row(_country_label(code), group) for code, group in shown]
    table_rows.append(row(gettext("Total"), reader.total()))
    columns = (
        Column("country", gettext("Country")),
        Column("planned", gettext("Trainings planned"), "count"),
        Column("delivered", gettext("Trainings delivered"), "count"),
        Column("fulfilled", gettext("Planned trainings delivered"), "count"),
        Column("share", gettext("Delivered out of planned"), "percent"),
    )
    shown_rows = table_rows[:-1]
    chart = _bar_chart([r["country"] for r in shown_rows], [
        (columns[1].label, [r["planned"] for r in shown_rows]),
        (columns[2].label, [r["delivered"] for r in shown_rows]),
    ]) if shown_rows else None
    note = _join(gettext("Planned: training activities of the country roll-out plans, not "
                         "cancelled. Delivered: trainings whose report is approved; "
                         "“planned trainings delivered” are the plan activities a delivered "
                         "training is linked to."), _folded_note(hidden))
    return Figure(id="trainings-planned-vs-delivered",
                  title=gettext("Trainings planned and delivered"), n=reader.participants,
                  as_of=reader.as_of, table=Table(columns, tuple(table_rows)), chart=chart,
                  note=note, suppressed_groups=hidden)


# --- reports awaiting review -----------------------------------------------------------------


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    return sum(values) / len(values)


def reports_awaiting_review(reader: _Reader) -> Figure:
    p = reader.scoped
    country = p.c.country_code
    pending = (
        select(country.label("country"), TrainingReport.submitted_at.label("submitted_at"),
               func.row_number().over(partition_by=country,
                                      order_by=(TrainingReport.submitted_at,
                                                TrainingReport.id)).label("position"),
               func.count().over(partition_by=country).label("waiting"),
               func.row_number().over(order_by=(TrainingReport.submitted_at,
                                                TrainingReport.id)).label("overall"),
               func.count().over().label("everyone"))
        .select_from(p)
        .join(Training, and_(Training.trainer_id == p.c.user_id,
                             Training.cohort_id == p.c.cohort_id))
        .join(TrainingReport, TrainingReport.training_id == Training.id)
        .where(TrainingReport.status.in_(PENDING), TrainingReport.submitted_at.is_not(None),
               *reader.training_in_scope(),
               *instants_in_period(TrainingReport.submitted_at, reader.filters))
        .subquery("pending")
    )
    # The oldest and the one or two in the middle of each country's queue, and of the whole
    # queue: the medians and the oldest ages without reading every report.
    picked = db.session.execute(
        select(pending.c.country, pending.c.submitted_at, pending.c.position,
               pending.c.waiting, pending.c.overall, pending.c.everyone)
        .where(or_(pending.c.position == 1,
                   pending.c.position == (pending.c.waiting + 1) // 2,
                   pending.c.position == (pending.c.waiting + 2) // 2,
                   pending.c.overall == (pending.c.everyone + 1) // 2,
                   pending.c.overall == (pending.c.everyone + 2) // 2))
    ).all()

    def age(submitted_at: datetime) -> int:
        if submitted_at.tzinfo is None:
            submitted_at = submitted_at.replace(tzinfo=UTC)
        return (reader.as_of - submitted_at).days

    waiting: dict[str | None, int] = {}
    oldest: dict[str | None, int] = {}
    middles: dict[str | None, dict[int, int]] = defaultdict(dict)
    overall_middle: dict[int, int] = {}
    for code, submitted_at, position, count, overall, everyone in picked:
        waiting[code] = count
        if position == 1:
            oldest[code] = age(submitted_at)
        if position in ((count + 1) // 2, (count + 2) // 2):
            middles[code][position] = age(submitted_at)
        if overall in ((everyone + 1) // 2, (everyone + 2) // 2):
            overall_middle[overall] = age(submitted_at)

    participants = reader.by_country()
    rows = {code: participants.get(code, _Group()) for code in waiting}
    shown, hidden = _shown(rows)
    shown.sort(key=lambda item: _country_label(item[0]).casefold())
    table_rows: list[dict[str, Any]] = [
        {"country": _country_label(code), "waiting": waiting[code],
         "median_days": _median(list(middles[code].values())), "oldest_days": oldest[code]}
        for code, _group in shown
    ]
    # The programme-wide median is not the median of the countries' medians.
    table_rows.append({"country": gettext("Total"), "waiting": sum(waiting.values()),
                       "median_days": _median(list(overall_middle.values())),
                       "oldest_days": max(oldest.values(), default=None)})
    columns = (
        Column("country", gettext("Country")),
        Column("waiting", gettext("Reports awaiting review"), "count"),
        Column("median_days", gettext("Median age (days)"), "number"),
        Column("oldest_days", gettext("Oldest (days)"), "count"),
    )
    shown_rows = table_rows[:-1]
    chart = _bar_chart([r["country"] for r in shown_rows], [
        (columns[2].label, [r["median_days"] for r in shown_rows]),
        (columns[3].label, [r["oldest_days"] for r in shown_rows]),
    ]) if shown_rows else None
    note = _join(gettext("Reports submitted or resubmitted and not yet approved or returned; "
                         "age counted in whole days since the latest submission."),
                 _folded_note(hidden))
    return Figure(id="reports-awaiting-review", title=gettext("Reports awaiting review"),
                  n=reader.participants, as_of=reader.as_of,
                  table=Table(columns, tuple(table_rows)), chart=chart, note=note,
                  suppressed_groups=hidden)


# --- certificates ----------------------------------------------------------------------------


def certificates_issued(reader: _Reader) -> Figure:
    groups = reader.groups()
    by_cohort = _by(groups, lambda key: key[0])
    by_country = _by(groups, lambda key: key[1])
    cohorts, hidden_cohorts = _shown(by_cohort)
    countries, hidden_countries = _shown(by_country)
    names = reader.cohort_names(by_cohort)
    cohorts.sort(key=lambda item: (names.get(item[0], ""), item[0]))
    countries.sort(key=lambda item: _country_label(item[0]).casefold())

    def row(breakdown: str, label: str, group: _Group) -> dict[str, Any]:
        return {"breakdown": breakdown, "group": label, "enrolled": group.participants,
                "certified": group.certified,
                "share": share(group.certified, group.participants)}

    cohort_label, country_label = gettext("Cohort"), gettext("Country")
    table_rows = [row(cohort_label, names.get(key, str(key)), group) for key, group in cohorts]
    table_rows += [row(country_label, _country_label(key), group) for key, group in countries]
    table_rows.append(row("", gettext("Total"), _total(groups)))
    columns = (
        Column("breakdown", gettext("By")),
        Column("group", gettext("Cohort or country")),
        Column("enrolled", gettext("ToT participants"), "count"),
        Column("certified", gettext("Certified"), "count"),
        Column("share", gettext("Share certified"), "percent"),
    )
    shown_rows = table_rows[:-1]
    chart = _bar_chart([r["group"] for r in shown_rows],
                       [(columns[4].label, [r["share"] for r in shown_rows])],
                       percent=True) if shown_rows else None
    hidden = hidden_cohorts + hidden_countries
    note = _join(gettext("People holding a valid certificate of their cohort, out of the "
                         "ToT participants (withdrawn people are not counted)."),
                 _folded_note(hidden))
    return Figure(id="certificates-issued", title=gettext("Certificates issued"),
                  n=reader.participants, as_of=reader.as_of,
                  table=Table(columns, tuple(table_rows)), chart=chart, note=note,
                  suppressed_groups=hidden)


# --- the dashboard ---------------------------------------------------------------------------


def build(viewer: User, filters: Filters) -> list[Figure]:
    reader = _Reader(viewer, filters)
    return [
        cascade_by_country(reader),
        cascade_by_cohort(reader),
        rollout_over_time(reader),
        planned_vs_delivered(reader),
        reports_awaiting_review(reader),
        certificates_issued(reader),
    ]


ROLLOUT = register(Dashboard(
    slug="rollout",
    title=lambda: str(lazy_gettext("Roll-out")),
    build=build,
    order=40,
    description=lambda: str(lazy_gettext(
        "From ToT participants to supervisors trained: trainings delivered, organisations "
        "reached, plans, reports awaiting review and certificates.")),
))
