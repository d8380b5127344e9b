"""Scoring as pure functions of the questions and the answers given.

No database and no request: the services pass the questions of a sitting and the stored
values keyed by question id, and keep what comes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from learning.assessments.banks import LIKERT_POINTS, PREFERENCES
from learning.assessments.types import question_type
from learning.content.schema import Question


@dataclass(frozen=True)
class KnowledgeScore:
    score: float
    max_score: float
    points: dict[str, float]  # per scored question; unanswered questions score 0

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


def knowledge_score(questions: Sequence[Question], values: Mapping[str, Any]) -> KnowledgeScore:
    """Each scored question is worth one point (its type gives a share in [0, 1])."""
    points: dict[str, float] = {}
    for question in questions:
        kind = question_type(question.type)
        if not kind.scored or question.answer is None:
            continue  # a choice question without an answer key earns nothing
        value = values.get(question.id)
        earned = kind.score(question, value) if value is not None else 0.0
        if earned is not None:
            points[question.id] = float(earned)
    return KnowledgeScore(score=sum(points.values()), max_score=float(len(points)),
                          points=points)


def passed(percent: float, pass_mark: int | None) -> bool | None:
    return None if pass_mark is None else percent >= pass_mark


def learning_style_profile(questions: Sequence[Question],
                           values: Mapping[str, Any]) -> dict[str, int]:
    """Points per preference: 0 (strongly disagree) to 3 (strongly agree) per item."""
    profile = dict.fromkeys(PREFERENCES, 0)
    for question in questions:
        preference = question.raw.get("preference")
        value = values.get(question.id)
        if preference in profile and value in LIKERT_POINTS:
            profile[preference] += LIKERT_POINTS[value]
    return profile


def confidence_profile(questions: Sequence[Question],
                       values: Mapping[str, Any]) -> dict[str, float]:
    """The median self-rating per area, over the items answered (areas with none left out).

    Ratings are ordinal, so the median, not the mean."""
    ratings: dict[str, list[int]] = {}
    for question in questions:
        area = question.raw.get("area")
        value = values.get(question.id)
        if isinstance(area, str) and isinstance(value, int) and not isinstance(value, bool):
            ratings.setdefault(area, []).append(value)
    return {area: float(median(values_)) for area, values_ in ratings.items()}
