"""The survey dashboard: usefulness of modules and tools and the ranked challenges and
follow-up priorities equal what is counted here from the raw answers, named and anonymous,
for every kind of viewer and filter; anonymous answers only ever count for whole cohorts
of at least five responses."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import OrganisationType, Role, User
from learning.analytics.framework import DASHBOARDS, MIN_GROUP, Figure, Filters
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
)
from learning.cohorts.models import CohortCountry
from learning.courses.catalogue import get_catalogue
from learning.db import db
from tests.analytics.rollout_world import SURVEY_BANK, RolloutWorld, build_rollout_world
from tests.analytics.test_rollout_dashboards import Raw, _countries_of, _raw, _scoped
from tests.conftest import in_french

VIEWERS = ("admin", "fac_alpha", "fac_beta", "focal_bi_ne", "focal_cd", "coordinator_bi")
SCALE = ("strongly_disagree", "somewhat_disagree", "somewhat_agree", "strongly_agree")
FIGURES = {"survey-usefulness-modules": "ll-modules", "survey-usefulness-tools": "ll-tools",
           "survey-challenges": "ll-challenges", "survey-priorities": "ll-followup"}


@pytest.fixture
def rollout(app: Flask) -> RolloutWorld:
    return build_rollout_world(app)


def _filters(rollout: RolloutWorld) -> dict[str, Filters]:
    cohorts = rollout.world.cohorts
    return {
        "none": Filters(),
        "cohort alpha": Filters(cohort_id=cohorts["alpha"]),
        "cohort beta": Filters(cohort_id=cohorts["beta"]),
        "cohort gamma": Filters(cohort_id=cohorts["gamma"]),
        "country NE": Filters(country_code="NE"),
        "country TD": Filters(country_code="TD"),
        "national NGOs": Filters(organisation_type=OrganisationType.NATIONAL_NGO),
        "1 December 2030": Filters(period_start=date(2030, 12, 1),
                                   period_end=date(2030, 12, 1)),
    }


def _build(app: Flask, viewer: User, filters: Filters, language: str = "en") -> dict[str, Figure]:
    with app.test_request_context(headers={"Accept-Language": language}):
        return {figure.id: figure for figure in DASHBOARDS["survey"].build(viewer, filters)}


# --- the answers that count, and the figures, recomputed in plain Python -----------------------


@dataclass
class Responses:
    named: list[tuple[int, int, Any, dict[str, Any]]]  # user, cohort, submitted_at, answers
    anonymous: list[tuple[int, date, dict[str, Any]]]  # cohort, submitted on, answers
    cohort_countries: dict[int, set[str]]


def _responses(app: Flask) -> Responses:
    with app.app_context():
        answers: dict[int, dict[str, Any]] = defaultdict(dict)
        for attempt_id, question_id, value in db.session.execute(
                select(Answer.attempt_id, Answer.question_id, Answer.value)):
            answers[attempt_id][question_id] = value
        anonymous_answers: dict[int, dict[str, Any]] = defaultdict(dict)
        for response_id, question_id, value in db.session.execute(
                select(AnonymousAnswer.response_id, AnonymousAnswer.question_id,
                       AnonymousAnswer.value)):
            anonymous_answers[response_id][question_id] = value
        attempts = list(db.session.scalars(
            select(Attempt).where(Attempt.bank_id == SURVEY_BANK,
                                  Attempt.status == AttemptStatus.SUBMITTED)
            .order_by(Attempt.number)))
        first: dict[tuple[int, int | None], Attempt] = {}
        for attempt in attempts:
            first.setdefault((attempt.user_id, attempt.cohort_id), attempt)
        countries: dict[int, set[str]] = defaultdict(set)
        for cohort_id, code in db.session.execute(
                select(CohortCountry.cohort_id, CohortCountry.country_code)):
            countries[cohort_id].add(code)
        return Responses(
            named=[(a.user_id, a.cohort_id, a.submitted_at, answers[a.id])  # type: ignore[misc]
                   for a in first.values()],
            anonymous=[(r.cohort_id, r.submitted_on, anonymous_answers[r.id])  # type: ignore[misc]
                       for r in db.session.scalars(select(AnonymousResponse)
                                                   .where(AnonymousResponse.bank_id
                                                          == SURVEY_BANK))],
            cohort_countries=dict(countries),
        )


def _within(day: date, filters: Filters) -> bool:
    return ((filters.period_start is None or day >= filters.period_start)
            and (filters.period_end is None or day <= filters.period_end))


def _counted_answers(raw: Raw, responses: Responses, viewer: User,
                     filters: Filters) -> list[dict[str, Any]]:
    scoped = _scoped(raw, viewer, filters)
    counted = [answers for user_id, cohort_id, submitted_at, answers in responses.named
               if (user_id, cohort_id) in scoped and _within(submitted_at.date(), filters)]
    if filters.organisation_type is not None:
        return counted
    countries = _countries_of(viewer)
    by_cohort: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for cohort_id, submitted_on, answers in responses.anonymous:
        if _within(submitted_on, filters):
            by_cohort[cohort_id].append(answers)
    for cohort_id, cohort_answers in by_cohort.items():
        cohort_countries = responses.cohort_countries[cohort_id]
        sees_cohort = (viewer.role == Role.ADMIN
                       or (viewer.role == Role.FACILITATOR
                           and (cohort_id, viewer.id) in raw.facilitators)
                       or (countries is not None and cohort_countries <= set(countries)))
        if (sees_cohort and len(cohort_answers) >= MIN_GROUP
                and filters.cohort_id in (None, cohort_id)
                and (filters.country_code is None
                     or cohort_countries == {filters.country_code})):
            counted += cohort_answers
    return counted


def expected(raw: Raw, responses: Responses, viewer: User,
             filters: Filters) -> tuple[int, dict[str, list[dict[str, Any]]]]:
    counted = _counted_answers(raw, responses, viewer, filters)
    bank = get_catalogue().quiz(SURVEY_BANK)
    assert bank is not None
    figures: dict[str, list[dict[str, Any]]] = {}
    for figure_id, question_id in FIGURES.items():
        question = bank.question(question_id)
        assert question is not None
        given = [answers[question_id] for answers in counted if question_id in answers]
        if len(counted) < MIN_GROUP or len(given) < MIN_GROUP:
            figures[figure_id] = []
        elif question.type == "matrix":
            rows = []
            for position, statement in enumerate(question.raw["statements"]):
                points = [value[statement["id"]] for value in given if statement["id"] in value]
                if len(points) < MIN_GROUP:
                    continue
                agree = sum(1 for point in points if point in SCALE[2:])
                rows.append((-(agree / len(points)), position, {
                    "item": statement["text"]["en"], "answered": len(points),
                    **{point: points.count(point) for point in SCALE},
                    "agree_share": agree / len(points)}))
            figures[figure_id] = [row for *_order, row in sorted(rows, key=lambda r: r[:2])]
        else:
            ranked = []
            for position, option in enumerate(question.options):
                ranks = [value.index(option.id) + 1 for value in given if option.id in value]
                firsts = ranks.count(1)
                ranked.append((-firsts, -len(ranks), position, {
                    "item": option.text.en, "first": firsts, "mentions": len(ranks),
                    "mean_rank": sum(ranks) / len(ranks) if ranks else None,
                    "first_share": firsts / len(given)}))
            figures[figure_id] = [{"rank": place, **row} for place, (*_order, row)
                                  in enumerate(sorted(ranked, key=lambda r: r[:3]), start=1)]
    return len(counted), figures


# --- tests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer_key", VIEWERS)
def test_every_survey_figure_equals_the_raw_answers(app: Flask, rollout: RolloutWorld,
                                                    viewer_key: str) -> None:
    viewer = rollout.world.staff[viewer_key]
    raw, responses = _raw(app), _responses(app)
    for filter_name, filters in _filters(rollout).items():
        figures = _build(app, viewer, filters)
        with app.app_context():
            respondents, wanted = expected(raw, responses, viewer, filters)
        assert list(figures) == list(FIGURES)
        for figure_id, rows in wanted.items():
            figure = figures[figure_id]
            assert figure.n == respondents, (filter_name, figure_id)
            assert list(figure.table.rows) == rows, (filter_name, figure_id)


def test_who_sees_which_responses(app: Flask, rollout: RolloutWorld) -> None:
    staff, cohorts = rollout.world.staff, rollout.world.cohorts

    def respondents(key: str, filters: Filters | None = None) -> int:
        return _build(app, staff[key], filters or Filters())["survey-challenges"].n

    # 4 named (alpha, Niger) + 6 anonymous (alpha) + 5 anonymous (beta); gamma's 3 never.
    assert respondents("admin") == 15
    assert respondents("admin", Filters(cohort_id=cohorts["gamma"])) == 0
    # Beta covers Burundi and DR Congo: neither country's focal point sees it whole.
    assert respondents("focal_bi_ne") == 10
    assert respondents("focal_cd") == 0
    assert respondents("fac_beta") == 5
    # A country filter keeps anonymous answers of single-country cohorts only.
    niger = _build(app, staff["admin"], Filters(country_code="NE"))["survey-usefulness-tools"]
    assert niger.n == 4 and niger.table.rows == ()
    assert niger.note.startswith("Fewer than 5 responses")
    left_out = _build(app, staff["focal_cd"], Filters())["survey-priorities"]
    assert "some were left out" in left_out.note


def test_small_lines_are_folded_and_rankings_ordered_by_first_places(
        app: Flask, rollout: RolloutWorld) -> None:
    admin = _build(app, rollout.world.staff["admin"], Filters())
    modules = [row["item"] for row in admin["survey-usefulness-modules"].table.rows]
    assert any(item.startswith("Module 4") for item in modules)  # 5 answered it
    focal = _build(app, rollout.world.staff["focal_bi_ne"], Filters())
    modules = focal["survey-usefulness-modules"]
    assert not any(row["item"].startswith("Module 4") for row in modules.table.rows)
    assert modules.suppressed_groups == 1
    assert "1 line answered by fewer than 5 people is not shown." in modules.note
    challenges = admin["survey-challenges"].table.rows
    firsts = [row["first"] for row in challenges]
    assert firsts == sorted(firsts, reverse=True) and sum(firsts) == 15
    assert [row["rank"] for row in challenges] == list(range(1, len(challenges) + 1))


def test_french_readers_get_the_survey_in_french(app: Flask, rollout: RolloutWorld) -> None:
    figures = _build(app, rollout.world.staff["admin"], Filters(), language="fr")
    tools = figures["survey-usefulness-tools"]
    assert tools.title == in_french("Usefulness of the tools")
    assert {row["item"] for row in tools.table.rows} <= {
        "Dossier individuel de supervision", "Dossier de réunion de gestion de cas",
        "Outil d'évaluation des capacités", "Outil de jumelage", "Outil d'observation",
        "Liste de vérification des dossiers", "Outil de discussion de cas"}
    assert tools.table.rows
    with app.app_context():
        bank = get_catalogue().quiz(SURVEY_BANK)
        assert bank is not None
        challenges = bank.question("ll-challenges")
        assert challenges is not None
    assert {row["item"] for row in figures["survey-challenges"].table.rows} == {
        option.text.fr for option in challenges.options}


def test_a_participant_sees_no_survey_answers(app: Flask, rollout: RolloutWorld) -> None:
    participant = rollout.world.staff["participant"]  # enrolled in alpha, 6 anonymous answers
    figures = _build(app, participant, Filters(cohort_id=rollout.world.cohorts["alpha"]))
    assert all(figure.n == 0 and not figure.table.rows for figure in figures.values())
