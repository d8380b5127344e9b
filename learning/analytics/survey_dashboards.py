"""The survey dashboard: what trainers said in the lessons-learned survey about the modules
and tools, the challenges they met and the follow-up they want.

Whose answers count:

- *Named* responses: each ToT participant's first submitted attempt at the survey in the
  cohort of a counted enrolment the viewer may see (``people``, so every filter applies),
  submitted in the period.
- *Anonymous* responses carry a cohort and nothing else, so they count only where the
  whole cohort is in view: the viewer sees the cohort (admin, its facilitator, or a focal
  point or coordinator whose countries include every country of the cohort), no
  organisation-type filter is set, a country filter only keeps cohorts of that one country,
  and the cohort has at least MIN_GROUP anonymous responses in the period. A cohort with
  fewer is left out entirely, so no combination of filters can isolate a handful of
  anonymous answers by difference.
- A figure with fewer than MIN_GROUP responses shows no breakdown; a statement answered by
  fewer than MIN_GROUP people is folded (the note says how many).

Counting is done in SQL (one row per question and source, a column per statement and scale
point, or per option and rank), reading JSON values with the portable JSON path operators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import get_locale, gettext, lazy_gettext, ngettext
from sqlalchemy import ColumnElement, String, and_, exists, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from learning import scope
from learning.accounts.models import Role, User
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
)
from learning.analytics.rollout_dashboards import chart_layout, instants_in_period
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
)
from learning.assessments.types.scales import AGREEMENT_SCALE
from learning.cohorts.models import Cohort, CohortCountry
from learning.content.schema import Catalogue, Question, QuestionBank
from learning.db import db, utcnow

SURVEY_BANK = "lessons-learned-survey"
MODULES_QUESTION = "ll-modules"
TOOLS_QUESTION = "ll-tools"
CHALLENGES_QUESTION = "ll-challenges"
PRIORITIES_QUESTION = "ll-followup"
AGREEING = ("somewhat_agree", "strongly_agree")
STAFF = (Role.ADMIN, Role.FACILITATOR, Role.FOCAL_POINT, Role.COORDINATOR)


def _scale_labels() -> dict[str, str]:
    return {
        "strongly_disagree": gettext("Strongly disagree"),
        "somewhat_disagree": gettext("Somewhat disagree"),
        "somewhat_agree": gettext("Somewhat agree"),
        "strongly_agree": gettext("Strongly agree"),
    }


@dataclass(frozen=True)
class _Sources:
    """Where the answers come from for this viewer and these filters."""

    named_attempts: Any  # a subquery of attempt ids
    anonymous_cohorts: tuple[int, ...]
    respondents: int
    anonymous_left_out: bool  # anonymous responses exist in view but could not be counted


def _first_named_attempts(viewer: User, filters: Filters) -> Any:
    scoped = people(viewer, filters).subquery("scoped")
    earlier = aliased(Attempt)
    conditions: list[ColumnElement[bool]] = [
        Attempt.bank_id == SURVEY_BANK, Attempt.status == AttemptStatus.SUBMITTED,
        # The first submitted attempt is the one that counts, as on the results page.
        ~exists().where(earlier.user_id == Attempt.user_id,
                        earlier.cohort_id == Attempt.cohort_id,
                        earlier.bank_id == Attempt.bank_id,
                        earlier.purpose == Attempt.purpose,
                        earlier.status == AttemptStatus.SUBMITTED,
                        earlier.number < Attempt.number),
    ]
    conditions += instants_in_period(Attempt.submitted_at, filters)
    return (
        select(Attempt.id)
        .join(scoped, and_(scoped.c.user_id == Attempt.user_id,
                           scoped.c.cohort_id == Attempt.cohort_id))
        .where(*conditions)
    ).subquery("named_attempts")


def _anonymous_period(filters: Filters) -> list[ColumnElement[bool]]:
    conditions = []
    if filters.period_start:
        conditions.append(AnonymousResponse.submitted_on >= filters.period_start)
    if filters.period_end:
        conditions.append(AnonymousResponse.submitted_on <= filters.period_end)
    return conditions


def _anonymous_cohorts(viewer: User, filters: Filters) -> tuple[tuple[int, ...], bool]:
    """Cohorts whose anonymous responses count, and whether some in view were left out."""
    if viewer.role not in STAFF:
        return (), False  # like people(): participants see no dashboards
    counts = {cohort_id: n for cohort_id, n in db.session.execute(
        select(AnonymousResponse.cohort_id, func.count())
        .where(AnonymousResponse.bank_id == SURVEY_BANK,
               AnonymousResponse.cohort_id.in_(
                   scope.cohorts_query(viewer).with_only_columns(Cohort.id)),
               *_anonymous_period(filters))
        .group_by(AnonymousResponse.cohort_id)
    ).tuples() if cohort_id is not None}
    if filters.cohort_id is not None:
        counts = {cohort_id: n for cohort_id, n in counts.items()
                  if cohort_id == filters.cohort_id}
    if not counts:
        return (), False
    if filters.organisation_type is not None:
        return (), True
    allowed = scoped_set = scope.scoped_countries(viewer)
    if filters.country_code is not None:
        allowed = [filters.country_code] if (
            scoped_set is None or filters.country_code in scoped_set) else []
    countries: dict[int, set[str]] = {}
    for cohort_id, code in db.session.execute(
            select(CohortCountry.cohort_id, CohortCountry.country_code)
            .where(CohortCountry.cohort_id.in_(list(counts)))):
        countries.setdefault(cohort_id, set()).add(code)
    kept = tuple(sorted(
        cohort_id for cohort_id, n in counts.items()
        if n >= MIN_GROUP and (allowed is None or (
            countries.get(cohort_id) and countries[cohort_id] <= set(allowed)))
    ))
    return kept, len(kept) < len(counts)


def _sources(viewer: User, filters: Filters) -> _Sources:
    named = _first_named_attempts(viewer, filters)
    cohorts, left_out = _anonymous_cohorts(viewer, filters)
    named_count = db.session.scalar(select(func.count()).select_from(named)) or 0
    anonymous_count = db.session.scalar(
        select(func.count()).select_from(AnonymousResponse)
        .where(AnonymousResponse.bank_id == SURVEY_BANK,
               AnonymousResponse.cohort_id.in_(cohorts), *_anonymous_period(filters))
    ) if cohorts else 0
    return _Sources(named, cohorts, named_count + (anonymous_count or 0), left_out)


Cell = tuple[str, str | None]  # (statement id or rank, the scale point or option id there)


Counted = dict[str, tuple[dict[Cell, int], int]]  # per question: cells, and how many answered


def _count_cells(sources: _Sources, filters: Filters,
                 wanted: dict[str, dict[str, str | int]]) -> Counted:
    """Per question of ``wanted``: how many answers hold each value at each JSON path (a
    matrix statement id, or a ranking position), over named and anonymous answers, and how
    many answered at all.

    One round trip for every question: their answers are gathered once (a CTE: the named
    attempts are found once), then each question's paths are grouped on their own, so
    each answer's JSON is read once per path whatever the scale."""
    if not wanted:
        return {}
    questions = list(wanted)
    sources_of_values = [
        select(Answer.question_id.label("question_id"), Answer.value.label("value"))
        .where(Answer.question_id.in_(questions),
               Answer.attempt_id.in_(select(sources.named_attempts.c.id))),
    ]
    if sources.anonymous_cohorts:
        sources_of_values.append(
            select(AnonymousAnswer.question_id, AnonymousAnswer.value)
            .select_from(AnonymousResponse)
            .join(AnonymousAnswer, and_(AnonymousAnswer.response_id == AnonymousResponse.id,
                                        AnonymousAnswer.question_id.in_(questions)))
            .where(AnonymousResponse.bank_id == SURVEY_BANK,
                   AnonymousResponse.cohort_id.in_(sources.anonymous_cohorts),
                   *_anonymous_period(filters)))
    values = union_all(*sources_of_values).cte("survey_values")
    groups = []
    for question_id, paths in wanted.items():
        groups.append(select(literal(question_id, String).label("question"),
                             literal("", String).label("path"), null().label("cell"),
                             func.count().label("answers"))
                      .where(values.c.question_id == question_id))
        for key, path in paths.items():
            cells = (select(values.c.value[path].as_string().label("cell"))
                     .where(values.c.question_id == question_id).subquery())
            groups.append(select(literal(question_id, String), literal(key, String),
                                 cells.c.cell, func.count())
                          .group_by(cells.c.cell))
    counted: Counted = {question_id: ({}, 0) for question_id in wanted}
    for question_id, key, cell, count in db.session.execute(union_all(*groups)):
        counts, answered = counted[question_id]
        if key == "":
            counted[question_id] = (counts, count)
        elif cell is not None:
            counts[(key, cell)] = count
    return counted


def _usefulness_paths(question: Question) -> dict[str, str | int]:
    return {statement["id"]: statement["id"]
            for statement in question.raw.get("statements") or ()}


def _ranking_places(question: Question) -> int:
    return int(question.raw.get("rank") or len(question.options))


def _ranking_paths(question: Question) -> dict[str, str | int]:
    return {str(rank): rank - 1 for rank in range(1, _ranking_places(question) + 1)}


def _bank(catalogue: Catalogue) -> QuestionBank | None:
    return catalogue.quiz(SURVEY_BANK)


def _locale() -> str:
    return str(get_locale() or "en")


def _too_few_note(respondents: int) -> str:
    if not respondents:
        return gettext("No responses yet.")
    return gettext("Fewer than %(min)d responses: nothing is broken down.", min=MIN_GROUP)


def _anonymous_note(sources: _Sources) -> str:
    if not sources.anonymous_left_out:
        return ""
    return gettext("Anonymous responses count only for whole cohorts you see, with no "
                   "organisation-type filter and at least %(min)d responses; some were "
                   "left out.", min=MIN_GROUP)


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


# --- usefulness: agreement with "this module / tool was useful" -------------------------------


def _usefulness(sources: _Sources, counted: Counted, question: Question | None,
                figure_id: str, title: str, item_label: str, as_of: datetime) -> Figure:
    scale_labels = _scale_labels()
    columns = (
        Column("item", item_label),
        Column("answered", gettext("Answered"), "count"),
        *(Column(point, scale_labels[point], "count") for point in AGREEMENT_SCALE),
        Column("agree_share", gettext("Agree it was useful"), "percent"),
    )
    statements: Sequence[dict[str, Any]] = (question.raw.get("statements") or ()) \
        if question is not None else ()
    note = gettext("Share who agree: somewhat or strongly, out of those who answered for "
                   "that line (a blank line means not delivered or not used).")
    if question is None or sources.respondents < MIN_GROUP:
        return Figure(id=figure_id, title=title, n=sources.respondents, as_of=as_of,
                      table=Table(columns, ()),
                      note=_join(_too_few_note(sources.respondents) if question else "",
                                 _anonymous_note(sources)))

    counts, _answered = counted.get(question.id, ({}, 0))
    rows, hidden = [], 0
    locale = _locale()
    for position, statement in enumerate(statements):
        per_point = {point: counts.get((statement["id"], point), 0)
                     for point in AGREEMENT_SCALE}
        answered = sum(per_point.values())
        if answered < MIN_GROUP:
            hidden += 1 if answered else 0
            continue
        agree = sum(per_point[point] for point in AGREEING)
        text = statement.get("text") or {}
        rows.append((position, {
            "item": text.get(locale) or text.get("en") or statement["id"],
            "answered": answered, **per_point, "agree_share": share(agree, answered),
        }))
    # Most useful first; ties keep the survey's order.
    rows.sort(key=lambda item: (-(item[1]["agree_share"] or 0.0), item[0]))
    table_rows = tuple(row for _position, row in rows)
    chart = {
        "data": [{"type": "bar", "orientation": "h", "name": scale_labels[point],
                  "y": [row["item"] for row in table_rows],
                  "x": [share(row[point], row["answered"]) for row in table_rows]}
                 for point in AGREEMENT_SCALE],
        "layout": chart_layout(barmode="stack",
                               xaxis={"tickformat": ".0%", "range": [0, 1]},
                               yaxis={"autorange": "reversed", "automargin": True}),
    } if table_rows else None
    if hidden:
        note = _join(note, ngettext(
            "%(num)d line answered by fewer than %(min)d people is not shown.",
            "%(num)d lines answered by fewer than %(min)d people are not shown.",
            hidden, min=MIN_GROUP))
    return Figure(id=figure_id, title=title, n=sources.respondents, as_of=as_of,
                  table=Table(columns, table_rows), chart=chart,
                  note=_join(note, _anonymous_note(sources)), suppressed_groups=hidden)


# --- rankings: challenges and follow-up priorities --------------------------------------------


def _ranking(sources: _Sources, counted: Counted, question: Question | None,
             figure_id: str, title: str, item_label: str, as_of: datetime) -> Figure:
    columns = (
        Column("rank", gettext("Rank"), "count"),
        Column("item", item_label),
        Column("first", gettext("Ranked first"), "count"),
        Column("mentions", gettext("Chosen among the top ones"), "count"),
        Column("mean_rank", gettext("Mean rank when chosen"), "number"),
        Column("first_share", gettext("Share who ranked it first"), "percent"),
    )
    note = gettext("Ordered by how many respondents ranked each first, then by how many "
                   "chose it at all; the mean rank (1 = first) is over those who chose it.")
    if question is None or sources.respondents < MIN_GROUP:
        return Figure(id=figure_id, title=title, n=sources.respondents, as_of=as_of,
                      table=Table(columns, ()),
                      note=_join(_too_few_note(sources.respondents) if question else "",
                                 _anonymous_note(sources)))
    places = _ranking_places(question)
    counts, answered = counted.get(question.id, ({}, 0))
    if answered < MIN_GROUP:
        return Figure(id=figure_id, title=title, n=sources.respondents, as_of=as_of,
                      table=Table(columns, ()),
                      note=_join(_too_few_note(answered), _anonymous_note(sources)))
    locale = _locale()
    summaries = []
    for position, option in enumerate(question.options):
        by_rank = {rank: counts.get((str(rank), option.id), 0)
                   for rank in range(1, places + 1)}
        mentions = sum(by_rank.values())
        rank_sum = sum(rank * count for rank, count in by_rank.items())
        summaries.append((-by_rank[1], -mentions, position, {
            "item": option.text.get(locale), "first": by_rank[1], "mentions": mentions,
            "mean_rank": rank_sum / mentions if mentions else None,
            "first_share": share(by_rank[1], answered),
        }))
    summaries.sort(key=lambda item: item[:3])
    table_rows = tuple({"rank": place, **row}
                       for place, (*_order, row) in enumerate(summaries, start=1))
    chart = {
        "data": [{"type": "bar", "orientation": "h", "name": columns[2].label,
                  "y": [row["item"] for row in table_rows],
                  "x": [row["first"] for row in table_rows]},
                 {"type": "bar", "orientation": "h", "name": columns[3].label,
                  "y": [row["item"] for row in table_rows],
                  "x": [row["mentions"] for row in table_rows]}],
        "layout": chart_layout(barmode="group",
                               yaxis={"autorange": "reversed", "automargin": True}),
    }
    return Figure(id=figure_id, title=title, n=sources.respondents, as_of=as_of,
                  table=Table(columns, table_rows), chart=chart,
                  note=_join(note, _anonymous_note(sources)))


# --- the dashboard ---------------------------------------------------------------------------


def build(viewer: User, filters: Filters) -> list[Figure]:
    as_of = utcnow()
    sources = _sources(viewer, filters)
    catalogue: Catalogue = current_app.extensions["tandem_catalogue"]
    bank = _bank(catalogue)

    def question(question_id: str) -> Question | None:
        return bank.question(question_id) if bank is not None else None

    modules, tools = question(MODULES_QUESTION), question(TOOLS_QUESTION)
    challenges, priorities = question(CHALLENGES_QUESTION), question(PRIORITIES_QUESTION)
    wanted: dict[str, dict[str, str | int]] = {}
    if sources.respondents >= MIN_GROUP:  # below it, no figure is broken down
        wanted = {
            **{found.id: _usefulness_paths(found) for found in (modules, tools) if found},
            **{found.id: _ranking_paths(found) for found in (challenges, priorities) if found},
        }
    counted = _count_cells(sources, filters, wanted)
    return [
        _usefulness(sources, counted, modules, "survey-usefulness-modules",
                    gettext("Usefulness of the modules"), gettext("Module"), as_of),
        _usefulness(sources, counted, tools, "survey-usefulness-tools",
                    gettext("Usefulness of the tools"), gettext("Tool"), as_of),
        _ranking(sources, counted, challenges, "survey-challenges",
                 gettext("Challenges of the roll-out, ranked"), gettext("Challenge"), as_of),
        _ranking(sources, counted, priorities, "survey-priorities",
                 gettext("Follow-up priorities, ranked"), gettext("Follow-up"), as_of),
    ]

SURVEY = register(Dashboard(
    slug="survey",
    title=lambda: str(lazy_gettext("Lessons-learned survey")),
    build=build,
    order=50,
    description=lambda: str(lazy_gettext(
        "Which modules and tools trainers found useful, the challenges they ranked first "
        "and the follow-up they want.")),
))
