"""The programme report: one cohort's or one country's key figures and a generated summary.

The figures are the dashboards' own (``DASHBOARDS[...].build``), picked by id, so the
report can never disagree with the dashboards; a figure whose dashboard is not installed
is left out. Each breakdown table ends with its total row (the dashboards' convention),
which the summary sentences and the cascade chart read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.analytics.framework import DASHBOARDS, Figure, Filters, build_cached
from learning.cohorts.models import Cohort, CohortCountry
from learning.db import db, utcnow
from learning.i18n.countries import country_name
from learning.scope import cohorts_query, scoped_countries

REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.FOCAL_POINT, Role.FACILITATOR)
COHORT_FIGURES = ("precourse-funnel", "knowledge-by-cohort", "confidence-rose-by-country",
                  "rollout-cascade-by-cohort", "certificates-issued")
COUNTRY_FIGURES = ("precourse-funnel", "knowledge-by-country", "confidence-rose-by-country",
                   "rollout-cascade-by-country", "certificates-issued")
CASCADE_STAGES = ("participants", "trainers", "trainings", "organisations", "trained")


@dataclass(frozen=True)
class Subject:
    """What the report is about, already checked against the reader's scope."""

    cohort: Cohort | None
    country_code: str | None

    @property
    def filters(self) -> Filters:
        return Filters(cohort_id=self.cohort.id if self.cohort else None,
                       country_code=self.country_code)

    def query_args(self) -> dict[str, str]:
        return self.filters.query_args()

    def name(self) -> str:
        country = country_name(self.country_code, _locale()) if self.country_code else ""
        if self.cohort is not None and country:
            return f"{self.cohort.name} — {country}"
        return self.cohort.name if self.cohort is not None else country


@dataclass(frozen=True)
class Chart:
    """A bar chart of one figure: categories down, one bar per series in each."""

    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (label, one value per category)
    percent: bool

    @property
    def maximum(self) -> float:
        values = [value for _label, values in self.series for value in values if value]
        return 1.0 if self.percent else max(values, default=0) or 1.0

    def text(self, value: float | None) -> str:
        return format_value(value, "percent" if self.percent else "count")


@dataclass(frozen=True)
class ReportFigure:
    figure: Figure
    chart: Chart | None


@dataclass(frozen=True)
class Report:
    subject: Subject
    figures: tuple[ReportFigure, ...]
    summary: tuple[str, ...]
    as_of: datetime
    scope_note: str = ""
    missing: tuple[str, ...] = field(default=())  # figure ids no dashboard provides


def _locale() -> str:
    return str(get_locale() or "en")


def format_value(value: Any, kind: str) -> str:
    """A table cell as the reader reads it ("89 %" in French); "—" when there is none."""
    if value is None or value == "":
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind in ("count", "number"):
        return format_decimal(value)
    if kind == "date" and hasattr(value, "isoformat"):
        return format_date(value)
    return str(value)


# --- scope ------------------------------------------------------------------------------------


def allowed_countries(viewer: User) -> set[str]:
    """Countries the viewer may report on: those of the cohorts they see, within their own
    countries for focal points and coordinators."""
    visible = cohorts_query(viewer).subquery()
    codes = set(db.session.scalars(
        select(CohortCountry.country_code).join(visible, visible.c.id == CohortCountry.cohort_id)
        .distinct()))
    limit = scoped_countries(viewer)
    return codes & set(limit) if limit is not None else codes


def visible_cohorts(viewer: User) -> list[Cohort]:
    return list(db.session.scalars(cohorts_query(viewer).order_by(Cohort.start_date.desc(),
                                                                   Cohort.name)))


def subject_for(viewer: User, args: Mapping[str, str]) -> Subject | None:
    """The subject asked for in the query string, or None when it is malformed or out of
    the viewer's scope (both answered "not found")."""
    cohort_arg, country_arg = args.get("cohort", ""), (args.get("country") or "").upper()
    cohort = None
    if cohort_arg:
        if not cohort_arg.isdigit():
            return None
        cohort = db.session.scalar(cohorts_query(viewer).where(Cohort.id == int(cohort_arg)))
        if cohort is None:
            return None
    if country_arg and country_arg not in allowed_countries(viewer):
        return None
    if cohort is not None and country_arg and country_arg not in cohort.country_codes:
        return None
    return Subject(cohort, country_arg or None)


# --- assembly ---------------------------------------------------------------------------------


def collect_figures(viewer: User, filters: Filters, wanted: Sequence[str]) -> dict[str, Figure]:
    """The figures with these ids, each from the dashboard that builds it; dashboards are
    built in menu order and only until every wanted figure is found."""
    found: dict[str, Figure] = {}
    for dashboard in sorted(DASHBOARDS.values(), key=lambda board: (board.order, board.slug)):
        if all(figure_id in found for figure_id in wanted):
            break
        for figure in build_cached(dashboard, viewer, filters):
            if figure.id in wanted and figure.id not in found:
                found[figure.id] = figure
    return found


def build_report(viewer: User, subject: Subject) -> Report:
    wanted = COHORT_FIGURES if subject.cohort is not None else COUNTRY_FIGURES
    found = collect_figures(viewer, subject.filters, wanted)
    figures = tuple(ReportFigure(found[figure_id], chart_of(found[figure_id]))
                    for figure_id in wanted if figure_id in found)
    limit = scoped_countries(viewer)
    scope_note = (_("These figures count the people of your countries only: %(countries)s.",
                    countries=", ".join(country_name(code, _locale()) for code in limit))
                  if limit is not None else "")
    return Report(subject=subject, figures=figures, summary=tuple(summary(found)),
                  as_of=utcnow(), scope_note=scope_note,
                  missing=tuple(figure_id for figure_id in wanted if figure_id not in found))


def _total(figure: Figure | None) -> dict[str, Any] | None:
    return figure.table.rows[-1] if figure is not None and figure.table.rows else None


def _breakdown_rows(figure: Figure) -> tuple[dict[str, Any], ...]:
    return figure.table.rows[:-1]


def chart_of(figure: Figure) -> Chart | None:
    """The bars the printed report draws for a figure (the dashboards' charts need
    JavaScript; paper does not)."""
    columns = {column.key: column for column in figure.table.columns}
    total = _total(figure)
    if total is None:
        return None
    if figure.id.startswith("rollout-cascade"):
        # The cascade as one funnel of the total: participants down to supervisors trained.
        stages = [key for key in CASCADE_STAGES if key in columns]
        return Chart(tuple(columns[key].label for key in stages),
                     (("", tuple(float(total[key] or 0) for key in stages)),), percent=False)
    rows = _breakdown_rows(figure) or (total,)
    # The certificates figure's first column says "cohort" or "country"; its name is next.
    label_key = "group" if "group" in columns else figure.table.columns[0].key
    keys: list[str]
    if figure.id.startswith("knowledge-by"):
        keys = [key for key in ("mean_pre", "mean_post") if key in columns]
    else:
        percent_keys = [column.key for column in figure.table.columns if column.kind == "percent"]
        keys = percent_keys[-1:]  # the funnel's last step; the share who rose; certified
    if not keys:
        return None
    return Chart(tuple(str(row.get(label_key) or "") for row in rows),
                 tuple((columns[key].label, tuple(row.get(key) for row in rows))
                       for key in keys), percent=True)


# --- the generated summary --------------------------------------------------------------------


def summary(figures: Mapping[str, Figure]) -> list[str]:
    """A few sentences built from the total rows, in the reader's language."""
    sentences = []
    funnel = _total(figures.get("precourse-funnel"))
    if funnel and funnel.get("enrolled"):
        steps = [column.key for column in figures["precourse-funnel"].table.columns
                 if column.key.startswith("step_") and column.kind == "count"]
        if steps:
            done, enrolled = int(funnel[steps[-1]] or 0), int(funnel["enrolled"])
            sentences.append(ngettext(
                "%(done)d of %(num)d participant (%(percent)s) has done the last part of "
                "the pre-course work.",
                "%(done)d of %(num)d participants (%(percent)s) have done the last part of "
                "the pre-course work.",
                enrolled, done=done, percent=format_percent(done / enrolled)))
    knowledge = (_total(figures.get("knowledge-by-cohort"))
                 or _total(figures.get("knowledge-by-country")))
    if knowledge and knowledge.get("paired") and knowledge.get("mean_pre") is not None \
            and knowledge.get("mean_post") is not None:
        sentences.append(_(
            "The mean knowledge test score went from %(pre)s before the course to %(post)s "
            "after it (n = %(n)d).", pre=format_percent(knowledge["mean_pre"]),
            post=format_percent(knowledge["mean_post"]), n=int(knowledge["paired"])))
    confidence = _total(figures.get("confidence-rose-by-country"))
    if confidence and confidence.get("paired"):
        rated = int(confidence["paired"])
        sentences.append(ngettext(
            "%(rose)d of %(num)d participant who rated their confidence twice (%(percent)s) "
            "rated it higher after the course.",
            "%(rose)d of %(num)d participants who rated their confidence twice (%(percent)s) "
            "rated it higher after the course.",
            rated, rose=int(confidence.get("rose") or 0),
            percent=format_percent(int(confidence.get("rose") or 0) / rated)))
    cascade = (_total(figures.get("rollout-cascade-by-cohort"))
               or _total(figures.get("rollout-cascade-by-country")))
    if cascade and cascade.get("participants"):
        sentences.append(ngettext(
            "%(trainers)d of %(num)d ToT participant has delivered at least one training.",
            "%(trainers)d of %(num)d ToT participants have delivered at least one training.",
            int(cascade["participants"]), trainers=int(cascade.get("trainers") or 0)))
        if cascade.get("trainings"):
            sentences.append(ngettext(
                "%(num)d training delivered has reached %(organisations)d organisations and "
                "%(trained)d supervisors.",
                "%(num)d trainings delivered have reached %(organisations)d organisations and "
                "%(trained)d supervisors.",
                int(cascade["trainings"]), organisations=int(cascade.get("organisations") or 0),
                trained=int(cascade.get("trained") or 0)))
    certificates = _total(figures.get("certificates-issued"))
    if certificates and certificates.get("enrolled"):
        enrolled = int(certificates["enrolled"])
        certified = int(certificates.get("certified") or 0)
        sentences.append(ngettext(
            "%(certified)d of %(num)d ToT participant (%(percent)s) holds a certificate.",
            "%(certified)d of %(num)d ToT participants (%(percent)s) hold a certificate.",
            enrolled, certified=certified, percent=format_percent(certified / enrolled)))
    return sentences
