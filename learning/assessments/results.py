"""A cohort's results: knowledge gain, item analysis, confidence, learning style, surveys.

The database does the counting (GROUP BY over answers and attempts); these functions turn
the aggregates into small frozen dataclasses with the arithmetic of ``statistics``.

Rules every figure follows:

- One attempt per person, bank and purpose: the first one submitted (a retake never
  replaces the baseline).
- Knowledge tests are the attempts taken before or after (``pre``/``post``) that carry a
  maximum score; scores are fractions of that maximum. Means and gains cover *paired*
  learners (both tests) only; learners with one test are counted and listed apart.
- Item analysis covers the paired learners too, so "before" and "after" describe the same
  people. Difficulty and discrimination use the items a learner answered.
- Scope: facilitators of the cohort and admins see every learner, by name. Focal points
  and coordinators see aggregates of their countries' learners only, no per-person rows
  and no free-text answers; anonymous survey responses carry no country, so they see
  those only when the cohort covers no other country.
- Anonymous responses are never shown for fewer than ``statistics.MINIMUM_GROUP``
  respondents, for a whole bank or for a single question or statement.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Subquery, case, cast, func, null, select, union_all

from learning import scope
from learning.accounts.models import Role, User
from learning.assessments import banks
from learning.assessments import statistics as stats
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
    Purpose,
)
from learning.assessments.types.scales import AGREEMENT_SCALE, RATING_MAX, RATING_MIN
from learning.cohorts.models import Cohort
from learning.content.schema import Catalogue, Question, QuestionBank
from learning.db import db

BEFORE_AFTER = (Purpose.PRE, Purpose.POST)
SURVEY_KINDS = (banks.Kind.RATING, banks.Kind.EVALUATION, banks.Kind.SURVEY)
FREE_TEXT_TYPES = frozenset({"short_text", "long_text"})


# --- who sees what -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResultsScope:
    cohort_id: int
    countries: tuple[str, ...] | None  # None: every learner of the cohort
    show_people: bool  # per-person rows and free-text answers
    show_anonymous: bool  # anonymous responses, which cover the whole cohort


def scope_for(viewer: User, cohort: Cohort) -> ResultsScope:
    """What ``viewer`` may see of the results of ``cohort`` (already found in their scope)."""
    if viewer.role == Role.PARTICIPANT:
        raise PermissionError("participants see only their own attempts")
    countries = scope.scoped_countries(viewer)
    return ResultsScope(
        cohort_id=cohort.id,
        countries=tuple(countries) if countries is not None else None,
        show_people=countries is None,
        show_anonymous=countries is None or set(cohort.country_codes) <= set(countries),
    )


def _first_attempts(results_scope: ResultsScope, purposes: Iterable[Purpose], *,
                    bank_ids: Sequence[str] | None = None, scored: bool = False) -> Subquery:
    """Each person's first submitted attempt per bank and purpose, within the scope."""
    nth = func.row_number().over(
        partition_by=(Attempt.user_id, Attempt.bank_id, Attempt.purpose),
        order_by=(Attempt.number, Attempt.id),
    )
    query = select(
        Attempt.id.label("attempt_id"), Attempt.user_id, Attempt.bank_id, Attempt.purpose,
        Attempt.score, Attempt.max_score, nth.label("nth"),
    ).where(
        Attempt.cohort_id == results_scope.cohort_id,
        Attempt.status == AttemptStatus.SUBMITTED,
        Attempt.purpose.in_(list(purposes)),
    )
    if bank_ids is not None:
        query = query.where(Attempt.bank_id.in_(bank_ids))
    if scored:
        query = query.where(Attempt.max_score > 0)
    if results_scope.countries is not None:
        query = query.join(User, User.id == Attempt.user_id).where(
            User.country_code.in_(results_scope.countries))
    ranked = query.subquery("ranked")
    return select(ranked).where(ranked.c.nth == 1).subquery("first_attempts")


def _decoded(value_text: str | None) -> Any:
    """A stored answer value from its JSON text (as grouped in SQL)."""
    return json.loads(value_text) if value_text is not None else None


# --- knowledge -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearnerKnowledge:
    user_id: int
    name: str
    country_code: str | None
    pre: float | None  # fraction of the maximum; None: test not taken
    post: float | None

    @property
    def paired(self) -> bool:
        return self.pre is not None and self.post is not None

    @property
    def difference(self) -> float | None:
        return self.post - self.pre if self.pre is not None and self.post is not None else None

    @property
    def gain(self) -> float | None:
        """Individual g; None when unpaired or when the pre-test score is the maximum."""
        if self.pre is None or self.post is None:
            return None
        return stats.normalised_gain(self.pre, self.post)


@dataclass(frozen=True, slots=True)
class GroupKnowledge:
    country_code: str | None  # None for the whole group shown (cohort, or your countries)
    summary: stats.KnowledgeSummary
    pre_only: int
    post_only: int


@dataclass(frozen=True, slots=True)
class KnowledgeResults:
    bank_id: str
    bank: QuestionBank | None
    paired: tuple[LearnerKnowledge, ...]  # empty unless the viewer sees people
    unpaired: tuple[LearnerKnowledge, ...]  # one test only; empty unless the viewer sees people
    countries: tuple[GroupKnowledge, ...]
    overall: GroupKnowledge


def _group(country_code: str | None, learners: Sequence[LearnerKnowledge]) -> GroupKnowledge:
    pairs = [(learner.pre, learner.post) for learner in learners
             if learner.pre is not None and learner.post is not None]
    return GroupKnowledge(
        country_code=country_code,
        summary=stats.summarise_knowledge(pairs),
        pre_only=sum(1 for learner in learners if learner.post is None),
        post_only=sum(1 for learner in learners if learner.pre is None),
    )


def knowledge_results(results_scope: ResultsScope,
                      catalogue: Catalogue) -> tuple[KnowledgeResults, ...]:
    """Pre/post knowledge per learner, per country and overall, for each test taken."""
    first = _first_attempts(results_scope, BEFORE_AFTER, scored=True)
    share = first.c.score / first.c.max_score
    rows = db.session.execute(
        select(
            first.c.bank_id, User.id, User.name, User.email, User.country_code,
            func.max(case((first.c.purpose == Purpose.PRE, share))).label("pre"),
            func.max(case((first.c.purpose == Purpose.POST, share))).label("post"),
        )
        .join(User, User.id == first.c.user_id)
        .group_by(first.c.bank_id, User.id, User.name, User.email, User.country_code)
        .order_by(first.c.bank_id, User.country_code, User.name, User.id)
    ).all()
    by_bank: dict[str, list[LearnerKnowledge]] = defaultdict(list)
    for bank_id, user_id, name, email, country_code, pre, post in rows:
        by_bank[bank_id].append(LearnerKnowledge(user_id, name or email, country_code, pre, post))
    tests = []
    for bank_id, learners in by_bank.items():
        by_country: dict[str | None, list[LearnerKnowledge]] = defaultdict(list)
        for learner in learners:
            by_country[learner.country_code].append(learner)
        show = results_scope.show_people
        tests.append(KnowledgeResults(
            bank_id=bank_id,
            bank=catalogue.quiz(bank_id),
            paired=tuple(x for x in learners if x.paired) if show else (),
            unpaired=tuple(x for x in learners if not x.paired) if show else (),
            countries=tuple(_group(code, group) for code, group
                            in sorted(by_country.items(), key=lambda item: item[0] or "")),
            overall=_group(None, learners),
        ))
    return tuple(tests)


# --- item analysis -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemStatistics:
    """One item at one time (before or after)."""

    answers: int
    difficulty: float | None  # share correct
    point_biserial: float | None  # item–rest correlation
    upper_lower: float | None  # share correct, top 27 % minus bottom 27 %


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    question_id: str
    question: Question | None  # None when the bank no longer has the item
    pre: ItemStatistics | None
    post: ItemStatistics | None

    @property
    def difficulty_change(self) -> float | None:
        before = self.pre.difficulty if self.pre is not None else None
        after = self.post.difficulty if self.post is not None else None
        return after - before if before is not None and after is not None else None


@dataclass(frozen=True, slots=True)
class ItemResults:
    bank_id: str
    bank: QuestionBank | None
    learners: int  # paired learners the analysis covers
    group_size: int  # learners in each of the upper and lower groups
    items: tuple[ItemAnalysis, ...]


def item_analysis(results_scope: ResultsScope, knowledge: KnowledgeResults) -> ItemResults:
    """Difficulty and discrimination of each item before and after, over paired learners."""
    learners = knowledge.overall.summary.paired_n
    group_size = stats.upper_lower_group_size(learners)
    first = _first_attempts(results_scope, BEFORE_AFTER, bank_ids=(knowledge.bank_id,),
                            scored=True)
    tests = func.count().over(partition_by=first.c.user_id)
    with_tests = select(first, tests.label("tests")).subquery("with_tests")
    # The window runs after WHERE: positions rank the paired learners' attempts only.
    position = func.row_number().over(
        partition_by=with_tests.c.purpose,
        order_by=(with_tests.c.score / with_tests.c.max_score, with_tests.c.attempt_id),
    )
    paired = select(
        with_tests.c.attempt_id, with_tests.c.purpose, with_tests.c.score,
        position.label("position"),
    ).where(with_tests.c.tests == 2).subquery("paired")
    points, total = Answer.points, paired.c.score
    upper = paired.c.position > learners - group_size
    lower = paired.c.position <= group_size
    rows = db.session.execute(
        select(
            paired.c.purpose, Answer.question_id, func.count(points), func.sum(points),
            func.sum(total), func.sum(points * points), func.sum(total * total),
            func.sum(points * total),
            func.sum(case((upper, points))), func.count(case((upper, points))),
            func.sum(case((lower, points))), func.count(case((lower, points))),
        )
        .select_from(Answer)
        .join(paired, paired.c.attempt_id == Answer.attempt_id)
        .where(points.is_not(None))
        .group_by(paired.c.purpose, Answer.question_id)
    ).all()
    found: dict[str, dict[Purpose, ItemStatistics]] = defaultdict(dict)
    for (purpose, question_id, n, sum_x, sum_y, sum_xx, sum_yy, sum_xy,
         upper_points, upper_n, lower_points, lower_n) in rows:
        moments = stats.Moments(n, sum_x, sum_y, sum_xx, sum_yy, sum_xy)
        found[question_id][Purpose(purpose)] = ItemStatistics(
            answers=n,
            difficulty=stats.item_difficulty(sum_x, n),
            point_biserial=stats.point_biserial(moments),
            upper_lower=stats.upper_lower_index(upper_points or 0.0, upper_n,
                                                lower_points or 0.0, lower_n),
        )
    bank = knowledge.bank
    ordered = [question.id for question in bank.questions] if bank is not None else []
    ordered += sorted(set(found) - set(ordered))
    return ItemResults(
        bank_id=knowledge.bank_id,
        bank=bank,
        learners=learners,
        group_size=group_size,
        items=tuple(
            ItemAnalysis(question_id, bank.question(question_id) if bank else None,
                         found[question_id].get(Purpose.PRE), found[question_id].get(Purpose.POST))
            for question_id in ordered if question_id in found
        ),
    )


# --- confidence ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AreaConfidence:
    area: banks.Area
    before: stats.Distribution  # every rating given in the area before
    after: stats.Distribution
    median_before: float | None
    median_after: float | None
    change: stats.Change  # people rated both times: did their median rating rise?


@dataclass(frozen=True, slots=True)
class ConfidenceResults:
    bank: QuestionBank
    respondents_before: int
    respondents_after: int
    areas: tuple[AreaConfidence, ...]


def _rating_scale(questions: Iterable[Question]) -> tuple[int, ...]:
    lows, highs = [], []
    for question in questions:
        low, high = question.raw.get("min", RATING_MIN), question.raw.get("max", RATING_MAX)
        lows.append(low if isinstance(low, int) else RATING_MIN)
        highs.append(high if isinstance(high, int) else RATING_MAX)
    return tuple(range(min(lows, default=RATING_MIN), max(highs, default=RATING_MAX) + 1))


def confidence_results(results_scope: ResultsScope, bank: QuestionBank) -> ConfidenceResults:
    """Ratings before and after per area: distributions, medians, share who rose."""
    area_of = {question.id: question.raw["area"] for question in bank.questions
               if question.type == "rating" and isinstance(question.raw.get("area"), str)}
    if not area_of:
        return ConfidenceResults(bank, 0, 0, ())
    first = _first_attempts(results_scope, BEFORE_AFTER, bank_ids=(bank.id,))
    answers = (
        select(first.c.user_id, first.c.purpose,
               case(area_of, value=Answer.question_id).label("area"),
               cast(Answer.value, String).label("value"))
        .select_from(Answer)
        .join(first, first.c.attempt_id == Answer.attempt_id)
        .where(Answer.question_id.in_(list(area_of)))
        .subquery("confidence_answers")
    )
    rows = db.session.execute(
        select(answers.c.user_id, answers.c.purpose, answers.c.area, answers.c.value, func.count())
        .group_by(answers.c.user_id, answers.c.purpose, answers.c.area, answers.c.value)
    ).all()
    totals: dict[tuple[Purpose, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    personal: dict[tuple[int, str, Purpose], dict[int, int]] = defaultdict(
        lambda: defaultdict(int))
    respondents: dict[Purpose, set[int]] = {Purpose.PRE: set(), Purpose.POST: set()}
    for user_id, purpose, area, value_text, count in rows:
        rating, purpose = _decoded(value_text), Purpose(purpose)
        if not isinstance(rating, int) or isinstance(rating, bool):
            continue
        totals[(purpose, area)][rating] += count
        personal[(user_id, area, purpose)][rating] += count
        respondents[purpose].add(user_id)
    areas = []
    for area in banks.areas_of(bank):
        scale = _rating_scale(q for q in bank.questions if area_of.get(q.id) == area.id)
        before, after = totals[(Purpose.PRE, area.id)], totals[(Purpose.POST, area.id)]
        medians = [
            (stats.median_of_counts(personal[(user_id, area.id, Purpose.PRE)]),
             stats.median_of_counts(personal[(user_id, area.id, Purpose.POST)]))
            for user_id in respondents[Purpose.PRE] & respondents[Purpose.POST]
        ]
        areas.append(AreaConfidence(
            area=area,
            before=stats.distribution(before, scale),
            after=stats.distribution(after, scale),
            median_before=stats.median_of_counts(before),
            median_after=stats.median_of_counts(after),
            change=stats.compare_ratings((b, a) for b, a in medians
                                         if b is not None and a is not None),
        ))
    return ConfidenceResults(bank, len(respondents[Purpose.PRE]), len(respondents[Purpose.POST]),
                             tuple(areas))


# --- learning style ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LearningStyleResults:
    bank: QuestionBank
    respondents: int
    # (preference, how many people have it as a dominant one: ties count for each)
    dominant: tuple[tuple[banks.Preference, int], ...]


def learning_style_results(results_scope: ResultsScope,
                           bank: QuestionBank) -> LearningStyleResults:
    preference_of = {question.id: question.raw["preference"] for question in bank.questions
                     if question.raw.get("preference") in banks.PREFERENCES}
    if not preference_of:
        return LearningStyleResults(bank, 0, ())
    points_of = {json.dumps(scale_id): points for scale_id, points in banks.LIKERT_POINTS.items()}
    first = _first_attempts(results_scope, banks.purposes_for(bank), bank_ids=(bank.id,))
    answers = (
        select(first.c.user_id,
               case(preference_of, value=Answer.question_id).label("preference"),
               case(points_of, value=cast(Answer.value, String), else_=0).label("points"))
        .select_from(Answer)
        .join(first, first.c.attempt_id == Answer.attempt_id)
        .where(Answer.question_id.in_(list(preference_of)))
        .subquery("style_answers")
    )
    rows = db.session.execute(
        select(answers.c.user_id, answers.c.preference, func.sum(answers.c.points))
        .group_by(answers.c.user_id, answers.c.preference)
    ).all()
    profiles: dict[int, dict[str, float]] = defaultdict(dict)
    for user_id, preference, points in rows:
        profiles[user_id][preference] = points
    counts = stats.count_dominant(profiles.values(), banks.PREFERENCES)
    return LearningStyleResults(
        bank=bank,
        respondents=len(profiles),
        dominant=tuple((preference, counts[preference.id])
                       for preference in banks.preferences_of(bank)),
    )


# --- surveys and evaluations ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScaleRow:
    """One row of a stacked-count table: a question, or one statement of a matrix."""

    statement_id: str | None
    distribution: stats.Distribution | None  # None: too few anonymous responses to show
    median: float | None  # numeric ratings only


@dataclass(frozen=True, slots=True)
class FreeText:
    text: str
    language: str | None  # known for anonymous responses


@dataclass(frozen=True, slots=True)
class QuestionResults:
    question: Question
    answered: int
    suppressed: bool
    scale: tuple[Hashable, ...]  # the columns of ``rows``, in order
    rows: tuple[ScaleRow, ...]
    ranking: tuple[stats.RankedOption, ...]
    texts: tuple[FreeText, ...]


@dataclass(frozen=True, slots=True)
class SurveyResults:
    bank: QuestionBank
    respondents: int
    anonymous: bool
    suppressed: bool  # anonymous, with some but fewer than MINIMUM_GROUP respondents
    anonymous_withheld: bool  # anonymous responses exist but the viewer's scope is narrower
    questions: tuple[QuestionResults, ...]


def _anonymous_counts(cohort_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(AnonymousResponse.bank_id, func.count())
        .where(AnonymousResponse.cohort_id == cohort_id)
        .group_by(AnonymousResponse.bank_id)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def _named_counts(results_scope: ResultsScope, bank_ids: Sequence[str]) -> dict[str, int]:
    first = _first_attempts(results_scope, list(Purpose), bank_ids=bank_ids)
    rows = db.session.execute(
        select(first.c.bank_id, func.count(Answer.attempt_id.distinct()))
        .select_from(Answer)
        .join(first, first.c.attempt_id == Answer.attempt_id)
        .group_by(first.c.bank_id)
    ).all()
    return dict(rows)  # type: ignore[arg-type]


def survey_banks(results_scope: ResultsScope, catalogue: Catalogue) -> tuple[QuestionBank, ...]:
    """The survey, evaluation and rating banks with responses in the cohort."""
    candidates = [bank for bank in catalogue.quizzes.values()
                  if banks.kind_of(bank) in SURVEY_KINDS]
    answered = set(_anonymous_counts(results_scope.cohort_id))
    answered |= set(_named_counts(results_scope, [bank.id for bank in candidates]))
    return tuple(sorted((bank for bank in candidates if bank.id in answered),
                        key=lambda bank: bank.id))


def survey_results(results_scope: ResultsScope, bank: QuestionBank) -> SurveyResults:
    """Every question of a survey with answers pooled across languages by question id."""
    anonymous_n = _anonymous_counts(results_scope.cohort_id).get(bank.id, 0)
    shown_anonymous_n = anonymous_n if results_scope.show_anonymous else 0
    respondents = _named_counts(results_scope, [bank.id]).get(bank.id, 0) + shown_anonymous_n
    anonymous = banks.is_anonymous(bank) or anonymous_n > 0
    suppressed = anonymous and respondents > 0 and not stats.is_reportable(respondents)
    questions: tuple[QuestionResults, ...] = ()
    if respondents and not suppressed:
        grouped = _grouped_answers(results_scope, bank)
        questions = tuple(
            _question_results(question, grouped.get(question.id, []), anonymous,
                              results_scope.show_people)
            for question in bank.questions
        )
    return SurveyResults(
        bank=bank,
        respondents=respondents,
        anonymous=anonymous,
        suppressed=suppressed,
        anonymous_withheld=anonymous_n > 0 and not results_scope.show_anonymous,
        questions=questions,
    )


AnswerGroup = tuple[Any, str | None, int]  # (value, language, how many gave it)


def _grouped_answers(results_scope: ResultsScope,
                     bank: QuestionBank) -> dict[str, list[AnswerGroup]]:
    """Identical answers counted in SQL, per question, from named and anonymous responses."""
    first = _first_attempts(results_scope, list(Purpose), bank_ids=(bank.id,))
    sources = [
        select(Answer.question_id, cast(Answer.value, String).label("value"),
               cast(null(), String).label("language"))
        .select_from(Answer)
        .join(first, first.c.attempt_id == Answer.attempt_id)
    ]
    if results_scope.show_anonymous:
        sources.append(
            select(AnonymousAnswer.question_id, cast(AnonymousAnswer.value, String),
                   AnonymousResponse.language)
            .join(AnonymousResponse, AnonymousResponse.id == AnonymousAnswer.response_id)
            .where(AnonymousResponse.bank_id == bank.id,
                   AnonymousResponse.cohort_id == results_scope.cohort_id)
        )
    answers = union_all(*sources).subquery("survey_answers")
    rows = db.session.execute(
        select(answers.c.question_id, answers.c.value, answers.c.language, func.count())
        .group_by(answers.c.question_id, answers.c.value, answers.c.language)
    ).all()
    grouped: dict[str, list[AnswerGroup]] = defaultdict(list)
    for question_id, value_text, language, count in rows:
        grouped[question_id].append((_decoded(value_text), language, count))
    return grouped


def _counts(groups: Iterable[AnswerGroup]) -> dict[Any, int]:
    counts: dict[Any, int] = defaultdict(int)
    for value, _language, count in groups:
        if isinstance(value, str | int | bool):
            counts[value] += count
    return counts


def _shown(distribution: stats.Distribution, anonymous: bool) -> stats.Distribution | None:
    return None if anonymous and not stats.is_reportable(distribution.n) else distribution


def _scale(question: Question) -> tuple[Hashable, ...]:
    if question.type in ("likert", "matrix"):
        return AGREEMENT_SCALE
    if question.type == "rating":
        return _rating_scale([question])
    if question.type == "true_false":
        return (True, False)
    if question.type in ("single_choice", "multiple_choice"):
        return tuple(option.id for option in question.options)
    return ()


def _question_results(question: Question, groups: list[AnswerGroup], anonymous: bool,
                      show_free_text: bool) -> QuestionResults:
    answered = sum(count for _value, _language, count in groups)
    scale = _scale(question)
    if anonymous and not stats.is_reportable(answered):
        return QuestionResults(question, answered, True, scale, (), (), ())
    rows: tuple[ScaleRow, ...] = ()
    ranking: tuple[stats.RankedOption, ...] = ()
    texts: tuple[FreeText, ...] = ()
    if question.type in ("likert", "single_choice", "true_false"):
        rows = (ScaleRow(None, stats.distribution(_counts(groups), scale), None),)
    elif question.type == "rating":
        counts = _counts(groups)
        rows = (ScaleRow(None, stats.distribution(counts, scale),
                         stats.median_of_counts(counts)),)
    elif question.type == "multiple_choice":
        chosen: dict[Hashable, int] = defaultdict(int)
        for value, _language, count in groups:
            for option_id in set(value) if isinstance(value, list) else ():
                chosen[option_id] += count
        # Shares of the people who answered: one person may choose several options.
        laid_out = tuple((option_id, chosen.get(option_id, 0)) for option_id in scale)
        rows = (ScaleRow(None, stats.Distribution(laid_out, answered), None),)
    elif question.type == "matrix":
        per_statement: dict[str, dict[Any, int]] = defaultdict(lambda: defaultdict(int))
        for value, _language, count in groups:
            for statement_id, scale_id in (value.items() if isinstance(value, dict) else ()):
                per_statement[statement_id][scale_id] += count
        rows = tuple(
            ScaleRow(statement["id"],
                     _shown(stats.distribution(per_statement[statement["id"]], scale), anonymous),
                     None)
            for statement in question.raw.get("statements") or ()
        )
    elif question.type == "ranking":
        positions: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        for value, _language, count in groups:
            for rank, option_id in enumerate(value if isinstance(value, list) else (), start=1):
                positions[option_id][rank] += count
        ranking = stats.summarise_ranking(positions, [option.id for option in question.options])
    elif question.type in FREE_TEXT_TYPES and show_free_text:
        # Alphabetical, so the order says nothing about who answered when.
        texts = tuple(sorted(
            (FreeText(value.strip(), language)
             for value, language, count in groups
             if isinstance(value, str) and value.strip() for _ in range(count)),
            key=lambda item: item.text.casefold(),
        ))
    return QuestionResults(question, answered, False, scale, rows, ranking, texts)


# --- the whole page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CohortResults:
    scope: ResultsScope
    knowledge: tuple[KnowledgeResults, ...]
    items: tuple[ItemResults, ...]
    confidence: tuple[ConfidenceResults, ...]
    learning_styles: tuple[LearningStyleResults, ...]
    surveys: tuple[SurveyResults, ...]


def banks_of_kind(catalogue: Catalogue, kind: banks.Kind) -> tuple[QuestionBank, ...]:
    return tuple(sorted((bank for bank in catalogue.quizzes.values()
                         if banks.kind_of(bank) == kind), key=lambda bank: bank.id))


def cohort_results(results_scope: ResultsScope, catalogue: Catalogue) -> CohortResults:
    knowledge = knowledge_results(results_scope, catalogue)
    confidence = tuple(confidence_results(results_scope, bank)
                       for bank in banks_of_kind(catalogue, banks.Kind.CONFIDENCE))
    styles = tuple(learning_style_results(results_scope, bank)
                   for bank in banks_of_kind(catalogue, banks.Kind.LEARNING_STYLE))
    return CohortResults(
        scope=results_scope,
        knowledge=knowledge,
        items=tuple(item_analysis(results_scope, test) for test in knowledge),
        confidence=tuple(result for result in confidence
                         if result.respondents_before or result.respondents_after),
        learning_styles=tuple(result for result in styles if result.respondents),
        surveys=tuple(survey_results(results_scope, bank)
                      for bank in survey_banks(results_scope, catalogue)),
    )
