"""The facilitator's cohort progress table: who has done which step, with totals.

One row per enrolled participant the viewer may see (``learning.scope``: facilitators of
the cohort and admins see everyone; focal points and coordinators the participants of
their countries). Withdrawn people are left out of the rows and the totals and listed
apart. Completion is counted in SQL (units done per person, grouped, joined to the
enrolments in one query); Python only shapes the result rows, one per participant.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select

from learning import scope
from learning.accounts.forms import organisation_type_labels
from learning.accounts.models import Organisation, OrganisationType, User
from learning.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from learning.content.schema import Catalogue
from learning.core.spreadsheets import neutralise
from learning.courses import steps
from learning.courses.models import SectionProgress
from learning.db import db
from learning.i18n.countries import country_name

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).


@dataclass(frozen=True)
class Filters:
    country: str | None = None
    organisation_id: int | None = None
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class ParticipantRow:
    user_id: int
    name: str
    country_code: str | None
    organisation: str
    organisation_type: OrganisationType | None
    done: frozenset[str]  # ids of the column steps done (pre-evaluation, pre-course parts)
    modules_done: int
    last_activity: datetime | None


@dataclass(frozen=True)
class WithdrawnPerson:
    name: str
    country_code: str | None


@dataclass(frozen=True)
class Total:
    count: int
    participants: int

    @property
    def share(self) -> float | None:
        """count / participants; None when there is nobody to count (shown as "—")."""
        return self.count / self.participants if self.participants else None


@dataclass(frozen=True)
class Column:
    key: str  # the sort key, also the query-string value
    label: str


@dataclass(frozen=True)
class CohortProgress:
    cohort: Cohort
    step_columns: tuple[steps.Step, ...]  # steps shown as done / not done, in course order
    module_count: int
    rows: tuple[ParticipantRow, ...]
    withdrawn: tuple[WithdrawnPerson, ...]
    country_options: tuple[str, ...]
    organisation_options: tuple[tuple[int, str], ...]
    filters: Filters

    @property
    def participants(self) -> int:
        return len(self.rows)

    def total(self, step_id: str) -> Total:
        return Total(sum(1 for row in self.rows if step_id in row.done), self.participants)

    @property
    def all_modules_total(self) -> Total:
        """Participants who have done every module (the modules column's total)."""
        done = sum(1 for row in self.rows
                   if self.module_count and row.modules_done >= self.module_count)
        return Total(done, self.participants)

    def columns(self) -> tuple[Column, ...]:
        """The table's columns in the viewer's language, for the page and the CSV."""
        return (
            Column("name", _("Name")),
            Column("country", _("Country")),
            Column("organisation", _("Organisation")),
            Column("organisation_type", _("Organisation type")),
            *(Column(step.id, step.label()) for step in self.step_columns),
            Column("modules", _("Modules done (of %(n)d)", n=self.module_count)),
            Column("last_activity", _("Last activity")),
        )


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from the query string; anything malformed is ignored, not an error."""
    country = (args.get("country") or "").strip().upper()
    organisation = args.get("organisation") or ""
    return Filters(
        country=country if len(country) == 2 and country.isalpha() else None,
        organisation_id=int(organisation) if organisation.isdigit() else None,
        sort=(args.get("sort") or "name")[:80],
        descending=args.get("order") == "desc",
    )


def cohort_progress(viewer: User, cohort: Cohort, catalogue: Catalogue, filters: Filters,
                    locale: str) -> CohortProgress:
    course = steps.course_steps(catalogue)
    step_columns = tuple(step for step in course if step.kind != steps.StepKind.MODULE)
    unit_columns = tuple(step for step in step_columns if step.unit is not None)
    module_ids = [step.id for step in course if step.kind == steps.StepKind.MODULE]

    enrolled = scope.enrolments_query(viewer, cohort)
    participants = enrolled.where(Enrolment.status != EnrolmentStatus.WITHDRAWN)
    query = _rows_query(catalogue, participants, unit_columns, module_ids)
    if filters.country:
        query = query.where(User.country_code == filters.country)
    if filters.organisation_id is not None:
        query = query.where(User.organisation_id == filters.organisation_id)
    results = db.session.execute(query).all()

    pre_evaluated = (steps.pre_evaluation_done([result.user_id for result in results])
                     if any(step.id == steps.PRE_EVALUATION for step in step_columns) else set())
    rows = []
    for result in results:
        done_ids = {step.id for index, step in enumerate(unit_columns)
                    if getattr(result, f"step_{index}")}
        if result.user_id in pre_evaluated:
            done_ids.add(steps.PRE_EVALUATION)
        rows.append(ParticipantRow(
            user_id=result.user_id, name=result.name or result.email,
            country_code=result.country_code, organisation=result.organisation or "",
            organisation_type=result.organisation_type, done=frozenset(done_ids),
            modules_done=int(result.modules or 0), last_activity=result.last_activity))

    sort_keys = _sort_keys(step_columns, locale)
    sort = filters.sort if filters.sort in sort_keys else "name"
    rows.sort(key=sort_keys["name"])
    rows.sort(key=sort_keys[sort], reverse=filters.descending)

    withdrawn = db.session.execute(
        enrolled.where(Enrolment.status == EnrolmentStatus.WITHDRAWN)
        .with_only_columns(User.name, User.email, User.country_code)
        .order_by(User.name, User.email)
    ).all()
    countries = db.session.scalars(
        participants.with_only_columns(User.country_code).distinct()
        .where(User.country_code.is_not(None)))
    organisations = db.session.execute(
        participants.with_only_columns(Organisation.id, Organisation.name).distinct()
        .join(Organisation, User.organisation_id == Organisation.id)
        .order_by(Organisation.name))
    return CohortProgress(
        cohort=cohort,
        step_columns=step_columns,
        module_count=len(module_ids),
        rows=tuple(rows),
        withdrawn=tuple(WithdrawnPerson(name or email, code) for name, email, code in withdrawn),
        country_options=tuple(sorted((code for code in countries if code),
                                     key=lambda code: country_name(code, locale))),
        organisation_options=tuple((org_id, org_name) for org_id, org_name in organisations),
        filters=Filters(filters.country, filters.organisation_id, sort, filters.descending),
    )


def _rows_query(catalogue: Catalogue, participants: Select[tuple[Enrolment]],
                unit_columns: tuple[steps.Step, ...], module_ids: list[str]) -> Select[Any]:
    """One row per participant: who they are, a 0/1 flag per unit column (``step_<i>``),
    modules done and last activity, all aggregated by the database."""
    participant_ids = participants.with_only_columns(Enrolment.user_id)
    done = steps.done_units_query(catalogue, participant_ids).subquery("done_units")
    per_person = (
        select(done.c.user_id,
               *(func.max(case((done.c.unit_id == step.id, 1), else_=0)).label(f"step_{index}")
                 for index, step in enumerate(unit_columns)),
               func.sum(case((done.c.unit_id.in_(module_ids), 1), else_=0)).label("modules"))
        .group_by(done.c.user_id)
        .subquery("per_person")
    )
    activity = (
        select(SectionProgress.user_id,
               func.max(SectionProgress.last_seen_at).label("last_activity"))
        .where(SectionProgress.user_id.in_(participant_ids))
        .group_by(SectionProgress.user_id)
        .subquery("activity")
    )
    return (
        participants.with_only_columns(
            User.id.label("user_id"), User.name, User.email, User.country_code,
            Organisation.name.label("organisation"), Organisation.type.label("organisation_type"),
            *(per_person.c[f"step_{index}"] for index in range(len(unit_columns))),
            per_person.c.modules, activity.c.last_activity)
        .outerjoin(Organisation, User.organisation_id == Organisation.id)
        .outerjoin(per_person, per_person.c.user_id == User.id)
        .outerjoin(activity, activity.c.user_id == User.id)
    )


def _sort_keys(step_columns: tuple[steps.Step, ...],
               locale: str) -> dict[str, Callable[[ParticipantRow], Any]]:
    """The whitelist of sort orders; people without a value come first in ascending order."""
    type_labels = organisation_type_labels()
    keys: dict[str, Callable[[ParticipantRow], Any]] = {
        "name": lambda row: row.name.casefold(),
        "country": lambda row: country_name(row.country_code, locale).casefold(),
        "organisation": lambda row: row.organisation.casefold(),
        "organisation_type": lambda row: (type_labels.get(row.organisation_type, "")
                                          if row.organisation_type else "").casefold(),
        "modules": lambda row: row.modules_done,
        "last_activity": lambda row: (row.last_activity is not None,
                                      row.last_activity or datetime.min),
    }
    for step in step_columns:
        keys[step.id] = _by_done(step.id)
    return keys


def _by_done(step_id: str) -> Callable[[ParticipantRow], bool]:
    """Sort by whether the step is done (ascending: not done first)."""
    return lambda row: step_id in row.done



def to_csv(progress: CohortProgress, locale: str) -> str:
    """The rows as CSV, headers in the viewer's language, with a BOM so that spreadsheet
    programs read the file as UTF-8 (names with accents)."""
    type_labels = organisation_type_labels()
    headers = [column.label for column in progress.columns()]
    headers[-1] = _("Last activity (UTC)")
    yes, no = _("Yes"), _("No")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(header) for header in headers])
    for row in progress.rows:
        cells = [
            row.name,
            country_name(row.country_code, locale),
            row.organisation,
            type_labels.get(row.organisation_type, "") if row.organisation_type else "",
            *(yes if step.id in row.done else no for step in progress.step_columns),
            str(row.modules_done),
            row.last_activity.strftime("%Y-%m-%d %H:%M") if row.last_activity else "",
        ]
        writer.writerow([neutralise(cell) for cell in cells])
    return "\ufeff" + buffer.getvalue()
