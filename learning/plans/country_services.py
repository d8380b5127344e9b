"""Country roll-out plan rules: who sees and edits a plan, its figures, and saving it.

- A plan belongs to one cohort and one country of that cohort. Its country team (the people
  with a non-withdrawn enrolment in the cohort whose country is the plan's) and admins edit
  it; the country's focal points review it; coordinators of the country and facilitators
  of the cohort read it. Anyone else does not find it (the same answer as a plan that does
  not exist).
- Every save that changes something makes a new version with a snapshot of the whole plan;
  a save made from an older version is refused when it would overwrite someone else's
  change (``country_versions``). While the plan is with the focal point for review it
  cannot be changed. After approval the team keeps it up to date: the plan stays approved,
  and the page shows what changed since the approved version until it is submitted again.
- Money is summed per currency, never across currencies, with ``Decimal``; totals are
  made in Python rather than SQL because SQLite sums ``NUMERIC`` columns as floats.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, delete, exists, insert, or_, select
from sqlalchemy.exc import IntegrityError

from learning import scope
from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.db import db, utcnow
from learning.plans.country_models import (
    ActivityCategory,
    ActivityStatus,
    BudgetLine,
    CountryPlan,
    CountryPlanActivity,
    CountryPlanStatus,
    FundingStatus,
    PlanRisk,
    PlanVersion,
    activity_dependencies,
)
from learning.plans.country_versions import (
    ROW_SECTIONS,
    SCALAR_SECTIONS,
    StaleEdit,
    clashes,
    json_value,
    part,
    snapshot,
)

MAX_TEXT_CHARS = 4000
MAX_TITLE_CHARS = 200


# --- the contract with the roll-out package ---------------------------------------------------


@dataclass(frozen=True)
class ActivitySummary:
    id: int
    title: str
    category: str  # "preparation", "translation", "training", "coaching", "refresher",
    #                "reporting", "other"
    start: date | None
    end: date | None
    status: str  # "planned", "in_progress", "done", "cancelled"


@dataclass(frozen=True)
class PlanOverview:
    plan_id: int
    cohort_id: int
    country_code: str
    status: str  # "draft", "submitted", "returned", "approved"
    version: int
    trainings_planned: int  # activities of category "training" not cancelled
    activities: tuple[ActivitySummary, ...]


def _ordered_activities(plan_id: int) -> list[CountryPlanActivity]:
    return list(db.session.scalars(
        select(CountryPlanActivity).where(CountryPlanActivity.plan_id == plan_id)
        .order_by(CountryPlanActivity.start_date.is_(None), CountryPlanActivity.start_date,
                  CountryPlanActivity.id)))


def _is_planned_training(activity: CountryPlanActivity) -> bool:
    return (activity.category == ActivityCategory.TRAINING
            and activity.status != ActivityStatus.CANCELLED)


def plan_overview(cohort_id: int, country_code: str) -> PlanOverview | None:
    """The plan's status and activities (no access check: callers apply their scope)."""
    plan = db.session.scalar(select(CountryPlan).where(
        CountryPlan.cohort_id == cohort_id, CountryPlan.country_code == country_code.upper()))
    if plan is None:
        return None
    activities = _ordered_activities(plan.id)
    return PlanOverview(
        plan_id=plan.id, cohort_id=plan.cohort_id, country_code=plan.country_code,
        status=plan.status.value, version=plan.version,
        trainings_planned=sum(1 for activity in activities if _is_planned_training(activity)),
        activities=tuple(ActivitySummary(activity.id, activity.title, activity.category.value,
                                         activity.start_date, activity.end_date,
                                         activity.status.value)
                         for activity in activities))


# --- who may do what -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAccess:
    cohort: Cohort
    country_code: str
    plan: CountryPlan | None
    may_edit: bool
    may_review: bool

    @property
    def editable_now(self) -> bool:
        """Editors may change the plan unless it is with the focal point for review."""
        return (self.may_edit and self.plan is not None
                and self.plan.status != CountryPlanStatus.SUBMITTED)


def team_query(cohort_id: int, country_code: str) -> Select[tuple[User]]:
    return (select(User).join(Enrolment, Enrolment.user_id == User.id)
            .where(Enrolment.cohort_id == cohort_id,
                   Enrolment.status != EnrolmentStatus.WITHDRAWN,
                   User.country_code == country_code))


def team_members(cohort_id: int, country_code: str) -> list[User]:
    return list(db.session.scalars(team_query(cohort_id, country_code).order_by(User.name)))


def is_team_member(user: User, cohort_id: int, country_code: str) -> bool:
    return user.country_code == country_code and bool(db.session.scalar(
        select(exists().where(Enrolment.cohort_id == cohort_id, Enrolment.user_id == user.id,
                              Enrolment.status != EnrolmentStatus.WITHDRAWN))))


def plan_access(viewer: User, cohort_id: int, country_code: str) -> PlanAccess | None:
    """How ``viewer`` may use the plan of this cohort and country; None: not at all."""
    code = country_code.upper()
    if len(code) != 2 or not code.isalpha():
        return None
    cohort = db.session.scalar(scope.cohorts_query(viewer).where(
        Cohort.id == cohort_id,
        exists().where(CohortCountry.cohort_id == Cohort.id, CohortCountry.country_code == code)))
    if cohort is None:
        return None
    may_edit = may_review = False
    if viewer.role == Role.ADMIN:
        may_edit = may_review = True
    elif viewer.role == Role.FOCAL_POINT:
        if code not in viewer.focal_country_codes:
            return None
        may_review = True
    elif viewer.role == Role.COORDINATOR:
        if code != viewer.country_code:
            return None
    elif viewer.role != Role.FACILITATOR:
        if not is_team_member(viewer, cohort.id, code):
            return None
        may_edit = True
    plan = db.session.scalar(select(CountryPlan).where(CountryPlan.cohort_id == cohort.id,
                                                       CountryPlan.country_code == code))
    return PlanAccess(cohort, code, plan, may_edit, may_review)


@dataclass(frozen=True)
class PlanRow:
    cohort: Cohort
    country_code: str
    plan: CountryPlan | None


def visible_plans(viewer: User) -> list[PlanRow]:
    """Every cohort country whose plan the viewer may open, started or not."""
    query = (select(Cohort, CohortCountry.country_code, CountryPlan)
             .join(CohortCountry, CohortCountry.cohort_id == Cohort.id)
             .outerjoin(CountryPlan, (CountryPlan.cohort_id == Cohort.id)
                        & (CountryPlan.country_code == CohortCountry.country_code))
             .where(Cohort.id.in_(scope.cohorts_query(viewer).with_only_columns(Cohort.id)))
             .order_by(Cohort.start_date.desc(), Cohort.id, CohortCountry.country_code))
    countries = scope.scoped_countries(viewer)
    if countries is not None:
        query = query.where(CohortCountry.country_code.in_(countries))
    elif viewer.role == Role.PARTICIPANT:
        query = query.where(CohortCountry.country_code == viewer.country_code, exists().where(
            Enrolment.cohort_id == Cohort.id, Enrolment.user_id == viewer.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN))
    return [PlanRow(cohort, code, plan) for cohort, code, plan in db.session.execute(query)]


def start_plan(actor: User, cohort: Cohort, country_code: str) -> CountryPlan:
    """The plan of this team, made (with its version 1) by the first who starts it."""
    by_team = select(CountryPlan).where(CountryPlan.cohort_id == cohort.id,
                                        CountryPlan.country_code == country_code)
    existing = db.session.scalar(by_team)
    if existing is not None:
        return existing
    now = utcnow()
    plan = CountryPlan(cohort_id=cohort.id, country_code=country_code, version=1,
                       status=CountryPlanStatus.DRAFT, created_at=now, updated_at=now,
                       updated_by_id=actor.id)
    try:
        with db.session.begin_nested():
            db.session.add(plan)
            db.session.flush()
            db.session.add(PlanVersion(plan_id=plan.id, number=1, author_id=actor.id,
                                       snapshot=snapshot(plan), created_at=now))
    except IntegrityError:
        # Two team members started it at the same moment: the first one's plan is the plan.
        existing = db.session.scalar(by_team)
        if existing is None:
            raise
        return existing
    record("country_plan.created", actor=actor, target=plan, cohort_id=cohort.id,
           country=country_code)
    return plan


# --- what the plan holds, with its figures -----------------------------------------------


@dataclass(frozen=True)
class CurrencyTotal:
    """Money of one currency: the total and how much of it is secured, requested, a gap."""

    currency: str
    total: Decimal
    secured: Decimal
    requested: Decimal
    gap: Decimal


@dataclass(frozen=True)
class BudgetSummary:
    overall: tuple[CurrencyTotal, ...]  # one per currency, by currency code
    by_activity: dict[int | None, tuple[CurrencyTotal, ...]]  # None: lines without activity


def _totals(lines: Sequence[BudgetLine]) -> tuple[CurrencyTotal, ...]:
    sums: dict[str, dict[FundingStatus, Decimal]] = defaultdict(
        lambda: {status: Decimal("0.00") for status in FundingStatus})
    for line in lines:
        sums[line.currency][line.funding_status] += line.total
    return tuple(
        CurrencyTotal(currency, sum(by_status.values(), Decimal("0.00")),
                      by_status[FundingStatus.SECURED], by_status[FundingStatus.REQUESTED],
                      by_status[FundingStatus.GAP])
        for currency, by_status in sorted(sums.items()))


def budget_totals(lines: Sequence[BudgetLine]) -> BudgetSummary:
    by_activity: dict[int | None, list[BudgetLine]] = defaultdict(list)
    for line in lines:
        by_activity[line.activity_id].append(line)
    return BudgetSummary(overall=_totals(lines),
                         by_activity={key: _totals(group) for key, group in by_activity.items()})


@dataclass(frozen=True)
class ActivityDelivery:
    activity: CountryPlanActivity
    planned: int  # 1 for a training not cancelled (the contract's count), else 0
    delivered: int  # trainings with an approved report linked to the activity


@dataclass(frozen=True)
class Delivery:
    rows: tuple[ActivityDelivery, ...]  # activities that plan or delivered a training
    planned: int
    delivered: int
    target: int | None  # the team's target number of trainings


def delivery(plan: CountryPlan, activities: Sequence[CountryPlanActivity]) -> Delivery:
    # Imported here: the roll-out package's models refer to this package's activities table.
    from learning.rollout.services import delivered_by_activity

    delivered = delivered_by_activity([activity.id for activity in activities]) if activities \
        else {}
    rows = tuple(
        ActivityDelivery(activity, int(_is_planned_training(activity)),
                         delivered.get(activity.id, 0))
        for activity in activities
        if _is_planned_training(activity) or delivered.get(activity.id, 0))
    return Delivery(rows, sum(row.planned for row in rows), sum(row.delivered for row in rows),
                    plan.target_trainings)


@dataclass(frozen=True)
class PlanDetails:
    plan: CountryPlan
    activities: tuple[CountryPlanActivity, ...]
    depends_on: dict[int, tuple[int, ...]]
    lines: tuple[BudgetLine, ...]
    risks: tuple[PlanRisk, ...]
    budget: BudgetSummary
    delivery: Delivery

    def activity(self, activity_id: int | None) -> CountryPlanActivity | None:
        return next((a for a in self.activities if a.id == activity_id), None)

    def starts_too_early(self, activity: CountryPlanActivity) -> list[CountryPlanActivity]:
        """The activities it waits for that end after it starts: a schedule to fix."""
        if activity.start_date is None:
            return []
        required = [self.activity(required_id) for required_id in self.depends_on[activity.id]]
        return [other for other in required if other is not None and other.end_date
                and other.end_date > activity.start_date]


def plan_details(plan: CountryPlan) -> PlanDetails:
    activities = _ordered_activities(plan.id)
    depends_on: dict[int, list[int]] = {activity.id: [] for activity in activities}
    if activities:
        for activity_id, depends_on_id in db.session.execute(
                select(activity_dependencies.c.activity_id, activity_dependencies.c.depends_on_id)
                .where(activity_dependencies.c.activity_id.in_(depends_on))):
            depends_on[activity_id].append(depends_on_id)
    order = {activity.id: position for position, activity in enumerate(activities)}
    lines = list(db.session.scalars(select(BudgetLine).where(BudgetLine.plan_id == plan.id)
                                    .order_by(BudgetLine.id)))
    risks = list(db.session.scalars(select(PlanRisk).where(PlanRisk.plan_id == plan.id)
                                    .order_by(PlanRisk.id)))
    return PlanDetails(
        plan=plan, activities=tuple(activities),
        depends_on={key: tuple(sorted(ids, key=order.__getitem__))
                    for key, ids in depends_on.items()},
        lines=tuple(lines), risks=tuple(risks), budget=budget_totals(lines),
        delivery=delivery(plan, activities))


def get_activity(plan: CountryPlan, activity_id: int) -> CountryPlanActivity | None:
    return db.session.scalar(select(CountryPlanActivity).where(
        CountryPlanActivity.plan_id == plan.id, CountryPlanActivity.id == activity_id))


def get_line(plan: CountryPlan, line_id: int) -> BudgetLine | None:
    return db.session.scalar(select(BudgetLine).where(BudgetLine.plan_id == plan.id,
                                                      BudgetLine.id == line_id))


def get_risk(plan: CountryPlan, risk_id: int) -> PlanRisk | None:
    return db.session.scalar(select(PlanRisk).where(PlanRisk.plan_id == plan.id,
                                                    PlanRisk.id == risk_id))


# --- saving, one version at a time -------------------------------------------------------


class PlanLocked(Exception):
    """The plan is with the focal point for review: nothing can be changed until then."""


class BadVersion(ValueError):
    """The version sent cannot come from a page of this plan (missing, or in the future)."""


class RowGone(LookupError):
    """The row is not in the plan, and was not in the version the editor saw either."""


class InvalidPlanValue(ValueError):
    """A value the form could not check alone: ``code`` names the rule for the message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def locked_plan(plan_id: int) -> CountryPlan:
    """The plan row, locked until the commit: saves of one plan go one at a time."""
    return db.session.scalars(
        select(CountryPlan).where(CountryPlan.id == plan_id).with_for_update()
        .execution_options(populate_existing=True)).one()


def version_snapshot(plan_id: int, number: int) -> dict[str, Any] | None:
    return db.session.scalar(select(PlanVersion.snapshot).where(PlanVersion.plan_id == plan_id,
                                                                PlanVersion.number == number))


def authors_between(plan_id: int, after: int, up_to: int, section: str | None = None,
                    row_id: int | None = None) -> list[str]:
    """Who saved the versions after ``after`` up to ``up_to`` (those that changed this
    section or row, when one is named), each named once."""
    rows = db.session.execute(
        select(PlanVersion.number, PlanVersion.snapshot, User.name)
        .outerjoin(User, User.id == PlanVersion.author_id)
        .where(PlanVersion.plan_id == plan_id, PlanVersion.number >= after,
               PlanVersion.number <= up_to)
        .order_by(PlanVersion.number)).all()
    names = [current.name for previous, current in zip(rows, rows[1:], strict=False)
             if section is None or part(previous.snapshot, section, row_id)
             != part(current.snapshot, section, row_id)]
    return list(dict.fromkeys(name for name in names if name))


def changed_by_others(plan_id: int, after: int, actor: User) -> bool:
    """Whether someone else saved a version after ``after`` (the actor's own saves, from
    this page's autosaved texts, are what they see)."""
    return bool(db.session.scalar(select(exists().where(
        PlanVersion.plan_id == plan_id, PlanVersion.number > after,
        or_(PlanVersion.author_id.is_(None), PlanVersion.author_id != actor.id)))))


@dataclass(frozen=True)
class Edit:
    """One save: the part of the plan it touches, what the editor sent, how to apply it."""

    section: str
    row_id: int | None  # None for the context, targets and follow-up sections, and new rows
    yours: dict[str, Any] | None  # the fields sent, as snapshot values; None to remove a row
    apply: Callable[[CountryPlan], Any]
    is_new_row: bool = False


def save(actor: User, plan_id: int, base_version: int | None, edit: Edit) -> dict[str, Any]:
    """Apply ``edit`` unless it is stale; a new version when something changed.

    The answer is what the autosave script and the retry receipts keep: ``revision`` is
    the same number as ``version``, under the name the script reads."""
    plan = locked_plan(plan_id)
    if plan.status == CountryPlanStatus.SUBMITTED:
        raise PlanLocked()
    current = snapshot(plan)
    if not edit.is_new_row:
        if base_version is None or not 1 <= base_version <= plan.version:
            raise BadVersion()
        if base_version != plan.version or part(current, edit.section, edit.row_id) is None:
            seen = version_snapshot(plan.id, base_version)
            if seen is None:
                raise BadVersion()
            seen_part = part(seen, edit.section, edit.row_id)
            current_part = part(current, edit.section, edit.row_id)
            if seen_part is None and current_part is None:
                raise RowGone()
            found = clashes(edit.section, edit.row_id, seen_part, current_part, edit.yours)
            if found:
                raise StaleEdit(base_version, plan.version, found, seen, current,
                                authors_between(plan.id, base_version, plan.version,
                                                edit.section, edit.row_id))
    made = edit.apply(plan)
    db.session.flush()
    after = snapshot(plan)
    if after != current:
        now = utcnow()
        plan.version += 1
        plan.updated_at = now
        plan.updated_by_id = actor.id
        db.session.add(PlanVersion(plan_id=plan.id, number=plan.version, author_id=actor.id,
                                   snapshot=after, created_at=now))
        db.session.flush()
    return _answer(plan, made)


def _answer(plan: CountryPlan, made: Any) -> dict[str, Any]:
    answer: dict[str, Any] = {"ok": True, "version": plan.version, "revision": plan.version}
    if made is not None and getattr(made, "id", None):
        answer["id"] = made.id
    return answer


def _set(obj: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(obj, name, value)


def section_edit(section: str, values: dict[str, Any]) -> Edit:
    """The context, targets or follow-up section: only its own fields are sent and set."""
    names = SCALAR_SECTIONS[section]
    values = {name: value for name, value in values.items() if name in names}
    return Edit(section, None, {name: json_value(v) for name, v in values.items()},
                lambda plan: _set(plan, values))


# Activities ------------------------------------------------------------------------------


def _check_dependencies(plan: CountryPlan, activity_id: int | None,
                        depends_on: Sequence[int]) -> None:
    """Dependencies are other activities of the plan, and never make a loop."""
    known = set(db.session.scalars(select(CountryPlanActivity.id).where(
        CountryPlanActivity.plan_id == plan.id)))
    if not set(depends_on) <= known:
        raise InvalidPlanValue("dependency_gone")
    if activity_id is None or not depends_on:
        return
    if activity_id in depends_on:
        raise InvalidPlanValue("dependency_loop")
    edges: dict[int, list[int]] = defaultdict(list)
    for source, target in db.session.execute(
            select(activity_dependencies.c.activity_id, activity_dependencies.c.depends_on_id)
            .where(activity_dependencies.c.activity_id.in_(known))):
        if source != activity_id:
            edges[source].append(target)
    # A loop exists when the activity is reachable from one it would depend on.
    waiting, visited = list(depends_on), set()
    while waiting:
        current = waiting.pop()
        if current == activity_id:
            raise InvalidPlanValue("dependency_loop")
        if current not in visited:
            visited.add(current)
            waiting.extend(edges[current])


def _set_dependencies(activity_id: int, depends_on: Sequence[int]) -> None:
    db.session.execute(delete(activity_dependencies).where(
        activity_dependencies.c.activity_id == activity_id))
    if depends_on:
        db.session.execute(insert(activity_dependencies), [
            {"activity_id": activity_id, "depends_on_id": other}
            for other in sorted(set(depends_on))])


def _activity_json(values: dict[str, Any]) -> dict[str, Any]:
    return {name: json_value(values.get(name)) for name in ROW_SECTIONS["activities"]}


def add_activity(values: dict[str, Any]) -> Edit:
    def apply(plan: CountryPlan) -> CountryPlanActivity:
        _check_dependencies(plan, None, values["depends_on"])
        activity = CountryPlanActivity(plan_id=plan.id, created_at=utcnow())
        _set(activity, {k: v for k, v in values.items() if k != "depends_on"})
        db.session.add(activity)
        db.session.flush()
        _set_dependencies(activity.id, values["depends_on"])
        return activity

    return Edit("activities", None, _activity_json(values), apply, is_new_row=True)


def update_activity(activity_id: int, values: dict[str, Any]) -> Edit:
    def apply(plan: CountryPlan) -> None:
        activity = get_activity(plan, activity_id)
        assert activity is not None  # checked by ``save`` before applying
        _check_dependencies(plan, activity_id, values["depends_on"])
        _set(activity, {k: v for k, v in values.items() if k != "depends_on"})
        _set_dependencies(activity_id, values["depends_on"])

    return Edit("activities", activity_id, _activity_json(values), apply)


def remove_activity(activity_id: int) -> Edit:
    def apply(plan: CountryPlan) -> None:
        activity = get_activity(plan, activity_id)
        if activity is None:
            return
        # Its budget lines stay in the budget, no longer tied to an activity, and the
        # activities that waited for it no longer do.
        for line in db.session.scalars(select(BudgetLine).where(
                BudgetLine.activity_id == activity_id)):
            line.activity_id = None
        db.session.execute(delete(activity_dependencies).where(or_(
            activity_dependencies.c.activity_id == activity_id,
            activity_dependencies.c.depends_on_id == activity_id)))
        db.session.delete(activity)

    return Edit("activities", activity_id, None, apply)


# Budget lines and risks ------------------------------------------------------------------


def _check_line_activity(plan: CountryPlan, values: dict[str, Any]) -> None:
    if values.get("activity_id") is not None and get_activity(plan, values["activity_id"]) is None:
        raise InvalidPlanValue("activity_gone")


def _row_json(section: str, values: dict[str, Any]) -> dict[str, Any]:
    return {name: json_value(values.get(name)) for name in ROW_SECTIONS[section]}


def add_line(values: dict[str, Any]) -> Edit:
    def apply(plan: CountryPlan) -> BudgetLine:
        _check_line_activity(plan, values)
        line = BudgetLine(plan_id=plan.id, created_at=utcnow(), **values)
        db.session.add(line)
        db.session.flush()
        return line

    return Edit("budget", None, _row_json("budget", values), apply, is_new_row=True)


def update_line(line_id: int, values: dict[str, Any]) -> Edit:
    def apply(plan: CountryPlan) -> None:
        _check_line_activity(plan, values)
        _set(get_line(plan, line_id), values)

    return Edit("budget", line_id, _row_json("budget", values), apply)


def remove_line(line_id: int) -> Edit:
    def apply(plan: CountryPlan) -> None:
        line = get_line(plan, line_id)
        if line is not None:
            db.session.delete(line)

    return Edit("budget", line_id, None, apply)


def add_risk(values: dict[str, Any]) -> Edit:
    def apply(plan: CountryPlan) -> PlanRisk:
        risk = PlanRisk(plan_id=plan.id, created_at=utcnow(), **values)
        db.session.add(risk)
        db.session.flush()
        return risk

    return Edit("risks", None, _row_json("risks", values), apply, is_new_row=True)


def update_risk(risk_id: int, values: dict[str, Any]) -> Edit:
    return Edit("risks", risk_id, _row_json("risks", values),
                lambda plan: _set(get_risk(plan, risk_id), values))


def remove_risk(risk_id: int) -> Edit:
    def apply(plan: CountryPlan) -> None:
        risk = get_risk(plan, risk_id)
        if risk is not None:
            db.session.delete(risk)

    return Edit("risks", risk_id, None, apply)
