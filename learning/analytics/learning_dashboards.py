"""Learning dashboards: the pre-course funnel, knowledge gains and confidence gains.

Every count is an aggregate query joined to the viewer's scoped people
(:func:`framework.people`), grouped in the database; Python only shapes a handful of
result rows. The one list of people (who is blocked in the pre-course) is LIMITed.

Definitions (the same as the cohort results page, across cohorts):

- Pre-course: the pre-evaluation is done when the person submitted a knowledge test
  before the modules (``pre``); a pre-course part is done when every section a participant
  sees in it is completed. With a period, only what was done in the period counts.
- Knowledge: each person's first submitted attempt per purpose (a retake never replaces
  the baseline); scores are percentages of the maximum; means and gains cover *paired*
  people (both tests). Class-average normalised gain g = (mean post − mean pre) /
  (100 − mean pre). Per objective: share of points scored on the items of that objective,
  over the paired people's first attempts.
- Confidence: every rating given per area, before and after (first attempts); a person
  "rose" when, over the statements rated both times, their ratings add up to more after
  than before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)

from learning.accounts.models import Role, User
from learning.analytics import charts
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
from learning.assessments import banks
from learning.assessments.models import Answer, Attempt, AttemptStatus, Purpose
from learning.cohorts.models import Cohort, Enrolment
from learning.content.schema import Catalogue, QuestionBank
from learning.courses import steps
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db, utcnow
from learning.i18n.countries import country_name

# How many blocked people are listed by name; the others are counted.
BLOCKED_LISTED = 50


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


def _period(column: Any, filters: Filters) -> ColumnElement[bool]:
    """``column`` (a UTC time) within the filters' period, both days included."""
    conditions = []
    if filters.period_start is not None:
        conditions.append(column >= datetime.combine(filters.period_start, time(), UTC))
    if filters.period_end is not None:
        end = datetime.combine(filters.period_end + timedelta(days=1), time(), UTC)
        conditions.append(column < end)
    return and_(literal(True), *conditions)


def _folded_note(groups: int) -> str:
    if not groups:
        return ""
    return ngettext("%(num)d group of fewer than %(min)d people is not shown.",
                    "%(num)d groups of fewer than %(min)d people are not shown.",
                    groups, min=MIN_GROUP)


def _joined_note(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def _cohort_names(ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(  # type: ignore[arg-type]
        select(Cohort.id, Cohort.name).where(Cohort.id.in_(list(ids)))).all())


# --- pre-course ------------------------------------------------------------------------------


def _precourse_steps(catalogue: Catalogue) -> tuple[steps.Step, ...]:
    return tuple(step for step in steps.course_steps(catalogue) if step.before_deadline)


def _knowledge_bank_ids(catalogue: Catalogue) -> list[str]:
    return sorted(bank.id for bank in catalogue.quizzes.values()
                  if banks.kind_of(bank) == banks.Kind.KNOWLEDGE_TEST)


def _precourse_flags(catalogue: Catalogue, scoped: Subquery, filters: Filters,
                     course_steps: tuple[steps.Step, ...], *, narrow: bool = True) -> Subquery:
    """One row per scoped enrolment: user, cohort, country and a 0/1 column per step.

    Each source is read once and grouped by person (one GROUP BY over the pre-course
    sections with a conditional count per unit, one over the pre-tests), then joined to
    the scoped enrolments: no per-row subquery, no join between two unindexed aggregates.
    With ``narrow``, each source is first cut down to the scoped people; without it (when
    everyone is in scope) the outer join alone keeps the right rows, at less cost.
    """
    units = [step.unit for step in course_steps if step.unit is not None]
    sections_of = {unit.id: [section.id for section in
                             unit.visible_sections(include_facilitator_notes=False)]
                   for unit in units}
    unit_of_section = {section_id: unit_id for unit_id, section_ids in sections_of.items()
                       for section_id in section_ids}

    def in_scope(user_id: Any) -> ColumnElement[bool]:
        return user_id.in_(select(scoped.c.user_id)) if narrow else literal(True)

    columns: list[Any] = [scoped.c.user_id, scoped.c.cohort_id, scoped.c.country_code]
    units_done: Subquery | None = None
    if unit_of_section:
        completed_at = SectionProgress.completed_at

        def unit_done(unit_id: str) -> Any:
            in_unit = SectionProgress.section_id.in_(sections_of[unit_id])
            if not sections_of[unit_id]:
                return literal(0)
            return case((and_(func.count(case((in_unit, 1))) == len(sections_of[unit_id]),
                              _period(func.max(case((in_unit, completed_at))), filters)), 1),
                        else_=0)

        units_done = (
            select(SectionProgress.user_id.label("user_id"),
                   *(unit_done(unit.id).label(f"unit_{index}")
                     for index, unit in enumerate(units)))
            .where(in_scope(SectionProgress.user_id),
                   SectionProgress.section_id.in_(list(unit_of_section)),
                   completed_at.is_not(None))
            .group_by(SectionProgress.user_id)
            .subquery("units_done")
        )
    unit_index = {unit.id: index for index, unit in enumerate(units)}
    tests = _knowledge_bank_ids(catalogue)
    pre_evaluated = (
        select(Attempt.user_id.label("user_id"))
        .where(in_scope(Attempt.user_id),
               Attempt.bank_id.in_(tests) if tests else false(),
               Attempt.purpose == Purpose.PRE, Attempt.status == AttemptStatus.SUBMITTED,
               _period(Attempt.submitted_at, filters))
        .group_by(Attempt.user_id)
        .subquery("pre_evaluated")
    )
    for index, step in enumerate(course_steps):
        if step.unit is None:
            flag: Any = case((pre_evaluated.c.user_id.is_not(None), 1), else_=0)
        else:
            flag = (func.coalesce(units_done.c[f"unit_{unit_index[step.unit.id]}"], 0)
                    if units_done is not None else literal(0))
        columns.append(flag.label(f"step_{index}"))
    query = select(*columns).select_from(scoped).outerjoin(
        pre_evaluated, pre_evaluated.c.user_id == scoped.c.user_id)
    if units_done is not None:
        query = query.outerjoin(units_done, units_done.c.user_id == scoped.c.user_id)
    return query.subquery("precourse_flags")


def precourse(viewer: User, filters: Filters) -> list[Figure]:
    catalogue = get_catalogue()
    as_of = utcnow()
    course_steps = _precourse_steps(catalogue)
    scoped_people = people(viewer, filters)
    everyone = viewer.role == Role.ADMIN and filters.cohort_id is None and \
        filters.country_code is None and filters.organisation_type is None
    flags = _precourse_flags(catalogue, scoped_people.subquery("scoped"), filters,
                             course_steps, narrow=not everyone)
    step_flags = [flags.c[f"step_{index}"] for index in range(len(course_steps))]
    not_done = or_(*(flag == 0 for flag in step_flags)) if step_flags else false()
    # One pass over the people: per cohort, the enrolled, each step done, and the blocked.
    rows = db.session.execute(
        select(flags.c.cohort_id, func.count(), func.count(case((not_done, 1))),
               *(func.sum(flag) for flag in step_flags))
        .group_by(flags.c.cohort_id)
    ).all()
    blocked = {cohort_id: int(count) for cohort_id, _enrolled, count, *_done in rows if count}
    # The listed names only need the first cohorts in the list's order: build the flags
    # again for those few cohorts only.
    listed_cohorts = _first_blocked_cohorts(blocked, as_of.date())
    listed_flags = _precourse_flags(
        catalogue,
        scoped_people.where(Enrolment.cohort_id.in_(listed_cohorts)).subquery("scoped"),
        filters, course_steps)
    return [_funnel([(cohort_id, enrolled, *done) for cohort_id, enrolled, _n, *done in rows],
                    course_steps, as_of),
            _blocked(listed_flags, sum(blocked.values()), course_steps, as_of)]


def _blocked_order(today: date) -> tuple[Any, ...]:
    passed = and_(Cohort.precourse_deadline.is_not(None), Cohort.precourse_deadline < today)
    return (case((passed, 0), else_=1), Cohort.precourse_deadline, Cohort.name)


def _first_blocked_cohorts(blocked: dict[int, int], today: date) -> list[int]:
    """The cohorts whose blocked people fill the first BLOCKED_LISTED places of the list
    (sorted by the database, as the list is), with every cohort that ties with the last."""
    if not blocked:
        return []
    order = _blocked_order(today)
    ranked = db.session.execute(
        select(Cohort.id, *order).where(Cohort.id.in_(list(blocked))).order_by(*order)).all()
    chosen: list[int] = []
    seen, last_key = 0, None
    for cohort_id, *key in ranked:
        if seen >= BLOCKED_LISTED and tuple(key) != last_key:
            break
        chosen.append(cohort_id)
        seen += blocked[cohort_id]
        last_key = tuple(key)
    return chosen


def _funnel(rows: Sequence[Sequence[Any]], course_steps: tuple[steps.Step, ...],
            as_of: datetime) -> Figure:
    names = _cohort_names([row[0] for row in rows])
    columns = [Column("cohort", _("Cohort")), Column("enrolled", _("Enrolled"), "count")]
    for index, step in enumerate(course_steps):
        columns += [Column(f"step_{index}", step.label(), "count"),
                    Column(f"step_{index}_share", _("%(step)s, share", step=step.label()),
                           "percent")]

    def table_row(label: str, enrolled: int, done: Sequence[int]) -> dict[str, Any]:
        row: dict[str, Any] = {"cohort": label, "enrolled": enrolled}
        for index, count in enumerate(done):
            row[f"step_{index}"] = count
            row[f"step_{index}_share"] = share(count, enrolled)
        return row

    shown, folded = [], 0
    total_enrolled, totals = 0, [0] * len(course_steps)
    for cohort_id, enrolled, *done in sorted(rows, key=lambda row: names.get(row[0], "")):
        done = [int(count or 0) for count in done]
        total_enrolled += enrolled
        totals = [total + count for total, count in zip(totals, done, strict=True)]
        if small(enrolled):
            folded += 1
            continue
        shown.append(table_row(names.get(cohort_id, ""), enrolled, done))
    table_rows = [*shown, table_row(_("All cohorts"), total_enrolled, totals)] if rows else []
    table = Table(tuple(columns), tuple(table_rows))
    return Figure(
        id="precourse-funnel", title=_("Pre-course completion per cohort"), n=total_enrolled,
        as_of=as_of, table=table,
        chart=charts.funnel(table, [step.label() for step in course_steps]) if shown else None,
        note=_folded_note(folded), suppressed_groups=folded)


def _blocked(flags: Subquery, count: int, course_steps: tuple[steps.Step, ...],
             as_of: datetime) -> Figure:
    """People who have not done every pre-course step, deadline passed first."""
    today = as_of.date()
    step_flags = [flags.c[f"step_{index}"] for index in range(len(course_steps))]
    not_done = or_(*(flag == 0 for flag in step_flags)) if step_flags else false()
    rows = db.session.execute(
        select(User.name, User.email, Cohort.name, flags.c.country_code,
               Cohort.precourse_deadline, *step_flags)
        .select_from(flags)
        .join(Cohort, Cohort.id == flags.c.cohort_id)
        .join(User, User.id == flags.c.user_id)
        .where(not_done)
        .order_by(*_blocked_order(today), User.name, User.id)
        .limit(BLOCKED_LISTED)
    ).all() if count else []
    locale = _locale()
    yes, no = _("Yes"), _("No")
    table_rows = []
    for name, email, cohort_name, country, deadline, *done in rows:
        missing = [step.label() for step, flag in zip(course_steps, done, strict=True)
                   if not flag]
        table_rows.append({
            "name": name or email, "cohort": cohort_name,
            "country": country_name(country, locale) if country else "",
            "missing": ", ".join(missing), "deadline": deadline,
            "passed": (yes if deadline is not None and deadline < today else no),
        })
    columns = (Column("name", _("Name")), Column("cohort", _("Cohort")),
               Column("country", _("Country")), Column("missing", _("Not done yet")),
               Column("deadline", _("Pre-course deadline"), "date"),
               Column("passed", _("Deadline passed")))
    more = count - len(table_rows)
    note = (ngettext("%(num)d more person is not listed.", "%(num)d more people are not listed.",
                     more) if more > 0 else "")
    return Figure(id="precourse-blocked", title=_("Who has not finished the pre-course"),
                  n=count, as_of=as_of, table=Table(columns, tuple(table_rows)), note=note)


# --- knowledge -------------------------------------------------------------------------------


def _first_attempts(scoped: Subquery, bank_ids: Sequence[str], filters: Filters, *,
                    scored: bool) -> Subquery:
    """Each scoped person's first submitted pre and post attempt (within the period)."""
    nth = func.row_number().over(
        partition_by=(Attempt.user_id, Attempt.cohort_id, Attempt.purpose),
        order_by=(Attempt.number, Attempt.id))
    query = (
        select(Attempt.id.label("attempt_id"), Attempt.user_id, Attempt.cohort_id,
               scoped.c.country_code, Attempt.purpose, Attempt.submitted_at,
               (Attempt.score * 100.0 / Attempt.max_score).label("percent"),
               nth.label("nth"))
        .join(scoped, and_(scoped.c.user_id == Attempt.user_id,
                           scoped.c.cohort_id == Attempt.cohort_id))
        .where(Attempt.bank_id.in_(list(bank_ids)) if bank_ids else false(),
               Attempt.status == AttemptStatus.SUBMITTED,
               Attempt.purpose.in_((Purpose.PRE, Purpose.POST)))
    )
    if scored:
        query = query.where(Attempt.max_score > 0)
    ranked = query.subquery("ranked")
    return (select(ranked).where(ranked.c.nth == 1, _period(ranked.c.submitted_at, filters))
            .subquery("first_attempts"))


def _knowledge_pairs(scoped: Subquery, filters: Filters, bank_ids: Sequence[str]) -> Subquery:
    """One row per scoped enrolment with a first test: its pre and post percent (or NULL)."""
    first = _first_attempts(scoped, bank_ids, filters, scored=True)
    return (
        select(first.c.user_id, first.c.cohort_id, first.c.country_code,
               func.max(case((first.c.purpose == Purpose.PRE, first.c.percent))).label("pre"),
               func.max(case((first.c.purpose == Purpose.POST, first.c.percent)))
               .label("post"))
        .group_by(first.c.user_id, first.c.cohort_id, first.c.country_code)
        .subquery("knowledge_pairs")
    )


def _knowledge_columns(group_label: str) -> tuple[Column, ...]:
    return (Column("group", group_label), Column("paired", _("Paired n"), "count"),
            Column("mean_pre", _("Mean pre-test score"), "percent"),
            Column("mean_post", _("Mean post-test score"), "percent"),
            Column("difference", _("Mean difference (points)"), "number"),
            Column("gain", _("Normalised gain (g)"), "number"),
            Column("one_test", _("One test only"), "count"))


def _knowledge_row(label: str, paired: int, sum_pre: float | None, sum_post: float | None,
                   one_test: int) -> dict[str, Any]:
    mean_pre = sum_pre / paired if paired and sum_pre is not None else None
    mean_post = sum_post / paired if paired and sum_post is not None else None
    difference = mean_post - mean_pre if mean_pre is not None and mean_post is not None else None
    gain = (difference / (100 - mean_pre)
            if difference is not None and mean_pre is not None and mean_pre < 100 else None)
    return {
        "group": label, "paired": paired,
        "mean_pre": mean_pre / 100 if mean_pre is not None else None,
        "mean_post": mean_post / 100 if mean_post is not None else None,
        "difference": round(difference, 1) if difference is not None else None,
        "gain": round(gain, 2) if gain is not None else None,
        "one_test": one_test,
    }


def _knowledge_breakdown(rows: Sequence[Sequence[Any]], labels: dict[Any, str],
                         group_label: str, figure_id: str, title: str,
                         as_of: datetime) -> Figure:
    """``rows``: (group key, paired n, sum of pre, sum of post, one test only) per group."""
    shown, folded = [], 0
    totals = [0, 0.0, 0.0, 0]
    for key, n, sum_pre, sum_post, one_test in sorted(
            rows, key=lambda row: labels.get(row[0], "").casefold()):
        totals = [totals[0] + n, totals[1] + (sum_pre or 0.0), totals[2] + (sum_post or 0.0),
                  totals[3] + one_test]
        if small(n):
            folded += 1
            continue
        shown.append(_knowledge_row(labels.get(key, ""), n, sum_pre if n else None,
                                    sum_post if n else None, one_test))
    total_row = _knowledge_row(_("All"), int(totals[0]), totals[1], totals[2], int(totals[3]))
    table = Table(_knowledge_columns(group_label), tuple([*shown, total_row] if rows else []))
    return Figure(
        id=figure_id, title=title, n=int(totals[0]), as_of=as_of, table=table,
        chart=charts.paired_bars(table, "group", "mean_pre", "mean_post") if shown else None,
        note=_joined_note(_("Means and gains cover people who took both tests."),
                          _folded_note(folded)),
        suppressed_groups=folded)


def _rolled_up(rows: Sequence[Sequence[Any]], key_index: int) -> list[list[Any]]:
    """Sum the (paired, sum pre, sum post, one test) of rows sharing the key at key_index."""
    groups: dict[Any, list[Any]] = {}
    for row in rows:
        group = groups.setdefault(row[key_index], [row[key_index], 0, None, None, 0])
        group[1] += int(row[2] or 0)
        for position, value in ((2, row[3]), (3, row[4])):
            if value is not None:
                group[position] = (group[position] or 0.0) + value
        group[4] += int(row[5] or 0)
    return list(groups.values())


def knowledge(viewer: User, filters: Filters) -> list[Figure]:
    catalogue = get_catalogue()
    as_of = utcnow()
    bank_ids = _knowledge_bank_ids(catalogue)
    scoped = people(viewer, filters).subquery("scoped")
    pairs = _knowledge_pairs(scoped, filters, bank_ids)
    paired = and_(pairs.c.pre.is_not(None), pairs.c.post.is_not(None))
    # One pass over the pairs, per country and cohort; both figures are sums of its rows.
    rows = db.session.execute(
        select(pairs.c.country_code, pairs.c.cohort_id, func.count(case((paired, 1))),
               func.sum(case((paired, pairs.c.pre))), func.sum(case((paired, pairs.c.post))),
               func.count(case((~paired, 1))))
        .group_by(pairs.c.country_code, pairs.c.cohort_id)
    ).all()
    locale = _locale()
    by_country, by_cohort = _rolled_up(rows, 0), _rolled_up(rows, 1)
    country_labels = {code: country_name(code, locale) if code else _("Unknown")
                      for code, *_counts in by_country}
    return [
        _knowledge_breakdown(by_country, country_labels, _("Country"),
                             "knowledge-by-country", _("Knowledge before and after, by country"),
                             as_of),
        _knowledge_breakdown(by_cohort, _cohort_names([row[0] for row in by_cohort]),
                             _("Cohort"), "knowledge-by-cohort",
                             _("Knowledge before and after, by cohort"), as_of),
        _knowledge_by_objective(catalogue, scoped, filters, bank_ids, as_of),
    ]


def _objective_labels(catalogue: Catalogue) -> dict[str, str]:
    locale = _locale()
    return {objective.id: f"{objective.id.upper()} {objective.text.get(locale)}".strip()
            for unit in catalogue.units for objective in unit.objectives}


def _knowledge_by_objective(catalogue: Catalogue, scoped: Subquery, filters: Filters,
                            bank_ids: Sequence[str], as_of: datetime) -> Figure:
    objective_of = {question.id: question.objective
                    for bank_id in bank_ids if (bank := catalogue.quiz(bank_id)) is not None
                    for question in bank.questions if question.objective}
    first = _first_attempts(scoped, bank_ids, filters, scored=True)
    both = func.count().over(partition_by=(first.c.user_id, first.c.cohort_id))
    counted = select(first.c.attempt_id, first.c.user_id, first.c.purpose,
                     both.label("tests")).subquery("counted")
    paired = select(counted).where(counted.c.tests == 2).cte("paired_attempts")
    # One statement: the paired people, then answers per question (a plain column, cheap to
    # group on) and time; the questions fold into their objectives here.
    no_text = cast(literal(None), String)
    people_count = select(no_text.label("question"), no_text.label("time"),
                          func.count(func.distinct(paired.c.user_id)).label("answers"),
                          cast(literal(None), Float).label("points"))
    parts: list[Any] = [people_count]
    if objective_of:
        parts.append(
            select(Answer.question_id, paired.c.purpose, func.count(Answer.points),
                   func.sum(Answer.points))
            .select_from(Answer)
            .join(paired, paired.c.attempt_id == Answer.attempt_id)
            .where(Answer.question_id.in_(list(objective_of)), Answer.points.is_not(None))
            .group_by(Answer.question_id, paired.c.purpose))
    sums: dict[tuple[str, str], list[float]] = {}
    people_n = 0
    for question_id, purpose, answers, points in db.session.execute(union_all(*parts)):
        if question_id is None:
            people_n = int(answers or 0)
            continue
        total = sums.setdefault((objective_of[question_id], Purpose(purpose).value), [0, 0.0])
        total[0] += answers
        total[1] += points or 0.0
    found: dict[str, dict[str, float | None]] = {}
    for (objective_id, purpose), (answers, points) in sums.items():
        found.setdefault(objective_id, {})[purpose] = points / answers if answers else None
    labels = _objective_labels(catalogue)
    order = list(dict.fromkeys(objective_of.values()))
    table_rows = []
    for objective_id in order:
        if objective_id not in found:
            continue
        pre, post = found[objective_id].get("pre"), found[objective_id].get("post")
        table_rows.append({
            "objective": labels.get(objective_id, objective_id),
            "pre": pre, "post": post,
            "change": round((post - pre) * 100, 1) if pre is not None and post is not None
            else None,
        })
    shown = not small(people_n) and bool(table_rows)
    columns = (Column("objective", _("Objective")),
               Column("pre", _("Share correct before"), "percent"),
               Column("post", _("Share correct after"), "percent"),
               Column("change", _("Change (points)"), "number"))
    table = Table(columns, tuple(table_rows) if shown else ())
    note = _("Items answered by the people who took both tests.")
    if not shown and people_n:
        note = _joined_note(note, _folded_note(1))
    return Figure(id="knowledge-by-objective", title=_("Knowledge by objective"), n=people_n,
                  as_of=as_of, table=table,
                  chart=charts.paired_bars(table, "objective", "pre", "post") if shown else None,
                  note=note, suppressed_groups=0 if shown or not people_n else 1)


# --- confidence ------------------------------------------------------------------------------


def _confidence_bank(catalogue: Catalogue) -> QuestionBank | None:
    found = sorted((bank for bank in catalogue.quizzes.values()
                    if banks.kind_of(bank) == banks.Kind.CONFIDENCE), key=lambda bank: bank.id)
    return found[0] if found else None


def _rating_points(bank: QuestionBank) -> tuple[int, ...]:
    lows, highs = [], []
    for question in bank.questions:
        if question.type == "rating":
            low, high = question.raw.get("min", 1), question.raw.get("max", 5)
            lows.append(low if isinstance(low, int) else 1)
            highs.append(high if isinstance(high, int) else 5)
    return tuple(range(min(lows, default=1), max(highs, default=5) + 1))


def confidence(viewer: User, filters: Filters) -> list[Figure]:
    catalogue = get_catalogue()
    as_of = utcnow()
    bank = _confidence_bank(catalogue)
    scoped = people(viewer, filters).subquery("scoped")
    area_of = ({question.id: question.raw["area"] for question in bank.questions
                if question.type == "rating" and isinstance(question.raw.get("area"), str)}
               if bank is not None else {})
    points = _rating_points(bank) if bank is not None else (1, 2, 3, 4, 5)
    first = _first_attempts(scoped, [bank.id] if bank is not None else [], filters,
                            scored=False)
    # Ratings are stored as JSON numbers; their text maps to the number (and anything
    # else, a skipped statement, to NULL) the same way on every database.
    rating = case({str(point): point for point in points}, value=cast(Answer.value, String))
    ratings = (
        select(first.c.user_id, first.c.cohort_id, first.c.country_code, first.c.purpose,
               Answer.question_id, rating.label("rating"))
        .select_from(Answer)
        .join(first, first.c.attempt_id == Answer.attempt_id)
        .where(Answer.question_id.in_(list(area_of)) if area_of else false(),
               rating.is_not(None))
        .cte("ratings")
    )
    areas = banks.areas_of(bank) if bank is not None else ()
    counts, respondents, by_country = _confidence_counts(ratings, area_of)
    return [_confidence_by_area(counts, respondents, areas, points, as_of),
            _rose_by_country(by_country, as_of)]


def _confidence_counts(ratings: Any, area_of: dict[str, str]) -> tuple[
        dict[tuple[str, str], dict[int, int]], int, list[tuple[Any, int, int, int, int]]]:
    """Every confidence figure's numbers in one statement over the ratings (read once):
    ratings per area, time and point; the respondents; per country, the people who rated
    some statement both times and whether their sum over those statements rose, stayed
    or fell."""
    no_text, no_number = cast(literal(None), String), cast(literal(None), Integer)
    # Grouped on the question (a plain column, cheap to group on); folded into areas below.
    by_question = (select(literal("area").label("kind"), ratings.c.question_id.label("key"),
                          ratings.c.purpose.label("time"), ratings.c.rating.label("v1"),
                          func.count().label("v2"), no_number.label("v3"),
                          no_number.label("v4"))
                   .group_by(ratings.c.question_id, ratings.c.purpose, ratings.c.rating))
    people_rated = select(ratings.c.user_id, ratings.c.cohort_id).distinct().subquery()
    respondents = select(literal("n"), no_text, no_text, func.count(), no_number, no_number,
                         no_number).select_from(people_rated)
    before = func.max(case((ratings.c.purpose == Purpose.PRE, ratings.c.rating)))
    after = func.max(case((ratings.c.purpose == Purpose.POST, ratings.c.rating)))
    per_statement = (
        select(ratings.c.user_id, ratings.c.cohort_id, ratings.c.country_code,
               before.label("before"), after.label("after"))
        .group_by(ratings.c.user_id, ratings.c.cohort_id, ratings.c.country_code,
                  ratings.c.question_id)
        .having(before.is_not(None), after.is_not(None))
        .subquery("per_statement")
    )
    per_person = (
        select(per_statement.c.country_code, func.sum(per_statement.c.before).label("before"),
               func.sum(per_statement.c.after).label("after"))
        .group_by(per_statement.c.user_id, per_statement.c.cohort_id,
                  per_statement.c.country_code)
        .subquery("per_person")
    )
    rose = (select(literal("rose"), per_person.c.country_code, no_text, func.count(),
                   func.count(case((per_person.c.after > per_person.c.before, 1))),
                   func.count(case((per_person.c.after == per_person.c.before, 1))),
                   func.count(case((per_person.c.after < per_person.c.before, 1))))
            .group_by(per_person.c.country_code))
    counts: dict[tuple[str, str], dict[int, int]] = {}
    respondent_count = 0
    by_country: list[tuple[Any, int, int, int, int]] = []
    for kind, key, time_of, v1, v2, v3, v4 in db.session.execute(
            union_all(by_question, respondents, rose)):
        if kind == "area":
            given = counts.setdefault((area_of.get(key, ""), Purpose(time_of).value), {})
            given[int(v1)] = given.get(int(v1), 0) + int(v2)
        elif kind == "n":
            respondent_count = int(v1)
        else:
            by_country.append((key, int(v1), int(v2), int(v3), int(v4)))
    return counts, respondent_count, by_country


def _confidence_by_area(counts: dict[tuple[str, str], dict[int, int]], respondents: int,
                        areas: Sequence[banks.Area], points: tuple[int, ...],
                        as_of: datetime) -> Figure:
    locale = _locale()
    times = ((Purpose.PRE.value, _("Before")), (Purpose.POST.value, _("After")))
    table_rows = []
    for found_area in areas:
        for purpose, time_label in times:
            given = counts.get((found_area.id, purpose), {})
            total = sum(given.values())
            row: dict[str, Any] = {"area": found_area.title.get(locale), "time": time_label,
                                   "ratings": total}
            for point in points:
                row[f"r{point}"] = share(given.get(point, 0), total)
            table_rows.append(row)
    shown = not small(respondents) and any(row["ratings"] for row in table_rows)
    columns = (Column("area", _("Area")), Column("time", _("When")),
               Column("ratings", _("Ratings given"), "count"),
               *(Column(f"r{point}", _("Rated %(n)d", n=point), "percent")
                 for point in points))
    table = Table(columns, tuple(table_rows) if shown else ())
    return Figure(
        id="confidence-by-area", title=_("Confidence before and after, by area"),
        n=respondents, as_of=as_of, table=table,
        chart=charts.stacked_shares(table, [f"r{point}" for point in points]) if shown
        else None,
        note=_joined_note(_("Shares of every rating given in the area."),
                          _folded_note(1) if respondents and not shown else ""),
        suppressed_groups=1 if respondents and not shown else 0)


def _rose_by_country(rows: list[tuple[Any, int, int, int, int]], as_of: datetime) -> Figure:
    locale = _locale()
    labels = {code: country_name(code, locale) if code else _("Unknown") for code, *_x in rows}

    def table_row(label: str, n: int, rose: int, same: int, fell: int) -> dict[str, Any]:
        return {"country": label, "paired": n, "rose": rose, "same": same, "fell": fell,
                "share_rose": share(rose, n)}

    shown, folded, totals = [], 0, [0, 0, 0, 0]
    for code, n, rose, same, fell in sorted(rows, key=lambda row: labels[row[0]].casefold()):
        counts = [int(n), int(rose or 0), int(same or 0), int(fell or 0)]
        totals = [total + count for total, count in zip(totals, counts, strict=True)]
        if small(n):
            folded += 1
            continue
        shown.append(table_row(labels[code], *counts))
    columns = (Column("country", _("Country")), Column("paired", _("Rated twice"), "count"),
               Column("rose", _("Rose"), "count"), Column("same", _("Same"), "count"),
               Column("fell", _("Fell"), "count"),
               Column("share_rose", _("Share who rose"), "percent"))
    table = Table(columns, tuple([*shown, table_row(_("All"), *totals)] if rows else []))
    return Figure(
        id="confidence-rose-by-country", title=_("Who grew more confident, by country"),
        n=totals[0], as_of=as_of, table=table,
        chart=charts.share_bars(table, "country", "share_rose") if shown else None,
        note=_joined_note(_("A person rose when their ratings of the statements they rated "
                            "both times add up to more after than before."),
                          _folded_note(folded)),
        suppressed_groups=folded)


register(Dashboard(slug="precourse", title=lambda: str(_l("Pre-course completion")),
                   build=precourse, order=10,
                   description=lambda: str(_l("Who has done the pre-evaluation and each "
                                              "pre-course part, per cohort; who is behind."))))
register(Dashboard(slug="knowledge", title=lambda: str(_l("Knowledge gains")),
                   build=knowledge, order=20,
                   description=lambda: str(_l("Pre- and post-test scores per country, cohort "
                                              "and objective."))))
register(Dashboard(slug="confidence", title=lambda: str(_l("Confidence gains")),
                   build=confidence, order=30,
                   description=lambda: str(_l("Self-rated confidence before and after, per "
                                              "area and country."))))
