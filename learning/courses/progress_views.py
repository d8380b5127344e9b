"""The cohort progress page, its CSV export and the facilitator's reminders.

Who sees what: the page and the export are for staff. Facilitators of the cohort and
admins see every participant; focal points and coordinators reach the cohorts covering
their countries and see only the participants of those countries (rows, totals and
export alike), as on the cohort page. Reminders are sent by the cohort's facilitators and
admins only. A cohort outside the viewer's scope is "not found".
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import STAFF, roles
from learning.accounts.forms import organisation_type_labels
from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.cohorts import services as cohorts
from learning.cohorts.models import Cohort
from learning.core.forms import options
from learning.core.writes import InvalidWrite, run_once
from learning.courses import bp, reminders, steps
from learning.courses import cohort_progress as progress
from learning.courses.catalogue import get_catalogue
from learning.courses.progress_forms import ReminderForm
from learning.db import db, utcnow, write_intent
from learning.scope import scoped_countries


def _cohort_or_404(cohort_id: int) -> Cohort:
    cohort = cohorts.get_visible_cohort(current_user, cohort_id)
    if cohort is None:
        abort(404)
    return cohort


def _table(cohort: Cohort) -> progress.CohortProgress:
    return progress.cohort_progress(current_user, cohort, get_catalogue(),
                                    progress.parse_filters(request.args), str(get_locale()))


def _query_args(filters: progress.Filters, **changes: Any) -> dict[str, Any]:
    """The page's query string (filters and order), with ``changes`` applied."""
    args = {"country": filters.country, "organisation": filters.organisation_id,
            "sort": filters.sort, "order": "desc" if filters.descending else "asc"}
    args.update(changes)
    return {key: value for key, value in args.items() if value not in (None, "")}


def _headers(table: progress.CohortProgress) -> list[tuple[progress.Column, str, str]]:
    """(column, link that sorts by it, aria-sort value) for each column."""
    filters = table.filters
    headers = []
    for column in table.columns():
        current = column.key == filters.sort
        order = "desc" if current and not filters.descending else "asc"
        link = url_for("courses.cohort_progress", cohort_id=table.cohort.id,
                       **_query_args(filters, sort=column.key, order=order))
        state = ("descending" if filters.descending else "ascending") if current else "none"
        headers.append((column, link, state))
    return headers


def _reminder_form(catalogue_steps: tuple[steps.Step, ...]) -> ReminderForm:
    form = ReminderForm()
    form.step.choices = options((step.id, step.label()) for step in catalogue_steps)
    return form


@bp.get("/cohorts/<int:cohort_id>/progress")
@roles(STAFF)
def cohort_progress(cohort_id: int) -> str:
    cohort = _cohort_or_404(cohort_id)
    table = _table(cohort)
    form = None
    if cohorts.can_manage(current_user, cohort):
        form = _reminder_form(steps.course_steps(get_catalogue()))
        form.key.data = secrets.token_urlsafe(16)
    deadline = cohort.precourse_deadline
    return render_template(
        "courses/cohort_progress.html",
        cohort=cohort,
        table=table,
        headers=_headers(table),
        csv_link=url_for("courses.cohort_progress_csv", cohort_id=cohort.id,
                         **_query_args(table.filters)),
        days_left=(deadline - date.today()).days if deadline else None,
        limited_to_countries=scoped_countries(current_user) is not None,
        organisation_types=organisation_type_labels(),
        form=form,
    )


@bp.get("/cohorts/<int:cohort_id>/progress.csv")
@roles(STAFF)
def cohort_progress_csv(cohort_id: int) -> Response:
    # This GET writes (the audit event): end the read-only transaction the request opened
    # and take the write lock up front, as a POST would (see learning.db).
    db.session.commit()
    write_intent.set(True)
    cohort = _cohort_or_404(cohort_id)
    table = _table(cohort)
    body = progress.to_csv(table, str(get_locale()))
    record("export.cohort_progress", actor=current_user._get_current_object(), target=cohort,
           rows=table.participants, country=table.filters.country,
           organisation=table.filters.organisation_id)
    db.session.commit()
    filename = f"{cohort.slug}-progress-{date.today().isoformat()}.csv"
    return Response(body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.post("/cohorts/<int:cohort_id>/reminders")
@roles(Role.FACILITATOR, Role.ADMIN)
def cohort_reminders(cohort_id: int) -> Response:
    cohort = _cohort_or_404(cohort_id)
    if not cohorts.can_manage(current_user, cohort):
        abort(404)
    back = redirect(url_for("courses.cohort_progress", cohort_id=cohort.id))
    catalogue = get_catalogue()
    form = _reminder_form(steps.course_steps(catalogue))
    step = steps.step_by_id(catalogue, form.step.data or "")
    if not form.validate_on_submit() or step is None:
        flash(_("Choose the step to remind people about."), "error")
        return back
    actor: User = current_user._get_current_object()
    chosen: steps.Step = step
    try:
        result = run_once(
            actor, form.key.data or "", "reminder",
            lambda: {"sent": reminders.send_manual(catalogue, actor, cohort, chosen, utcnow())})
    except InvalidWrite:
        flash(_("Reload the page and try again."), "error")
        return back
    sent = int(result["sent"])
    if result.get("replayed"):
        flash(ngettext("This reminder was already sent, to %(num)d person.",
                       "This reminder was already sent, to %(num)d people.", sent), "info")
    elif sent:
        flash(ngettext("Reminder sent to %(num)d person.", "Reminder sent to %(num)d people.",
                       sent), "success")
    else:
        flash(_("Everyone has done this step: no reminder was sent."), "info")
    return back
