"""The programme report of a cohort or a country: a printable page and the same as a PDF.

``/analytics/report`` without a subject offers the cohorts and countries the reader may
report on; a subject outside the reader's scope is answered "not found".
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from learning.access import roles
from learning.analytics import bp
from learning.analytics.report import (
    REPORT_ROLES,
    Subject,
    allowed_countries,
    build_report,
    format_value,
    subject_for,
    visible_cohorts,
)
from learning.analytics.report_pdf import render_report_pdf
from learning.i18n.countries import country_name


def _asked_for() -> bool:
    return bool(request.args.get("cohort") or request.args.get("country"))


def _subject_or_404() -> Subject:
    subject = subject_for(current_user, request.args)
    if subject is None:
        abort(404)
    return subject


@bp.get("/report")
@roles(*REPORT_ROLES)
def report() -> str:
    if not _asked_for():
        locale = str(get_locale() or "en")
        countries = sorted(((code, country_name(code, locale))
                            for code in allowed_countries(current_user)),
                           key=lambda item: item[1].casefold())
        return render_template("analytics/report_choose.html",
                               cohorts=visible_cohorts(current_user), countries=countries)
    subject = _subject_or_404()
    args: dict[str, Any] = subject.query_args()
    return render_template("analytics/report.html", report=build_report(current_user, subject),
                           pdf_link=url_for("analytics.report_pdf", **args),
                           format_cell=format_value)


@bp.get("/report.pdf")
@roles(*REPORT_ROLES)
def report_pdf() -> Response:
    if not _asked_for():
        return redirect(url_for("analytics.report"))  # type: ignore[return-value]
    subject = _subject_or_404()
    built = build_report(current_user, subject)
    body = render_report_pdf(built, str(get_locale() or "en"))
    slug = subject.cohort.slug if subject.cohort else (subject.country_code or "").lower()
    filename = f"tandem-report-{slug}-{built.as_of.date().isoformat()}.pdf"
    return Response(body, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})
