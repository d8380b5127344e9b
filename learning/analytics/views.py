"""Dashboard pages: the menu, one page per dashboard and each figure's CSV/XLSX export.

Views stay thin: the dashboards' ``build(viewer, filters)`` does the counting, scoped to
the viewer; here we pick the filter options the viewer may choose from and format cells
in the reader's locale.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent, get_locale
from flask_login import current_user
from sqlalchemy import select

from learning import scope
from learning.access import roles
from learning.accounts.forms import organisation_type_labels
from learning.accounts.models import Role, User
from learning.analytics import bp, exports
from learning.analytics.framework import DASHBOARDS, Dashboard, Figure, Filters, build_cached
from learning.cohorts.models import Cohort, CohortCountry
from learning.db import db
from learning.i18n.countries import country_name

ANALYSTS = (Role.ADMIN, Role.COORDINATOR, Role.FOCAL_POINT, Role.FACILITATOR)
# Versioned file name: a new Plotly is a new URL, so browsers may cache it for a year.
PLOTLY = "vendor/plotly-basic-4.1.1.min.js"


def format_cell(value: Any, kind: str) -> str:
    """A table cell in the reader's locale ("89 %" in French); missing values show "—"."""
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value)
    if kind in ("count", "number"):
        return format_decimal(value)
    if kind == "date" and isinstance(value, date):
        return format_date(value)
    return str(value)


def _dashboard(slug: str) -> Dashboard:
    dashboard = DASHBOARDS.get(slug)
    if dashboard is None:
        abort(404)
    return dashboard


def _viewer() -> User:
    viewer: User = current_user._get_current_object()
    return viewer


def _filter_options(viewer: User) -> dict[str, Any]:
    """The cohorts and countries the viewer may filter on (their scope), and org types."""
    cohorts = db.session.execute(
        scope.cohorts_query(viewer).with_only_columns(Cohort.id, Cohort.name)
        .order_by(Cohort.start_date.desc(), Cohort.name)).all()
    countries = scope.scoped_countries(viewer)
    if countries is None:
        visible = scope.cohorts_query(viewer).with_only_columns(Cohort.id)
        countries = list(db.session.scalars(
            select(CohortCountry.country_code).distinct()
            .where(CohortCountry.cohort_id.in_(visible))))
    locale = str(get_locale() or "en")
    named = sorted(((code, country_name(code, locale)) for code in countries),
                   key=lambda item: item[1].casefold())
    return {"cohorts": cohorts, "countries": named,
            "organisation_types": list(organisation_type_labels().items())}


@bp.get("/")
@roles(*ANALYSTS)
def index() -> str:
    dashboards = sorted(DASHBOARDS.values(), key=lambda dashboard: (dashboard.order,
                                                                    dashboard.slug))
    return render_template("analytics/index.html", dashboards=dashboards)


@bp.get("/<slug>")
@roles(*ANALYSTS)
def dashboard(slug: str) -> str:
    found = _dashboard(slug)
    filters = Filters.parse(request.args)
    figures = build_cached(found, _viewer(), filters)
    query: dict[str, Any] = dict(filters.query_args())
    return render_template(
        "analytics/dashboard.html", dashboard=found, figures=figures, filters=filters,
        options=_filter_options(_viewer()), format_cell=format_cell,
        has_charts=any(figure.chart for figure in figures), plotly=PLOTLY,
        export_links={figure.id: {fmt: url_for(f"analytics.figure_{fmt}", slug=slug,
                                               figure_id=figure.id, **query)
                                  for fmt in ("csv", "xlsx")} for figure in figures})


def _figure(slug: str, figure_id: str) -> Figure:
    figures = build_cached(_dashboard(slug), _viewer(), Filters.parse(request.args))
    figure = next((figure for figure in figures if figure.id == figure_id), None)
    if figure is None:
        abort(404)
    return figure


def _download(body: str | bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/<slug>/<figure_id>.csv")
@roles(*ANALYSTS)
def figure_csv(slug: str, figure_id: str) -> Response:
    figure = _figure(slug, figure_id)
    return _download(exports.figure_csv(figure), "text/csv; charset=utf-8",
                     f"{figure.id}.csv")


@bp.get("/<slug>/<figure_id>.xlsx")
@roles(*ANALYSTS)
def figure_xlsx(slug: str, figure_id: str) -> Response:
    figure = _figure(slug, figure_id)
    return _download(
        exports.figure_xlsx(figure),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"{figure.id}.xlsx")
