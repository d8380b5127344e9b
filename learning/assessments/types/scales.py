"""Questionnaire scales: Likert agreement, rating, matrix of statements, ranking. None of
them is scored for knowledge; a learning-style profile counts a Likert answer's position on
the agreement scale (0–3) towards the question's preference."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from werkzeug.datastructures import MultiDict

from learning.assessments.types.base import AnswerError, QuestionType, register
from learning.assessments.types.choice import option_ids
from learning.assessments.types.fields import single_value, sub_fields
from learning.content.schema import Question

#: The programme survey's 4-point agreement scale, from least to most agreement.
AGREEMENT_SCALE: tuple[str, ...] = (
    "strongly_disagree",
    "somewhat_disagree",
    "somewhat_agree",
    "strongly_agree",
)
RATING_MIN, RATING_MAX = 0, 10
# A few digits only: int() of thousands of digits raises instead of refusing the value.
_WHOLE_NUMBER = re.compile(r"^-?[0-9]{1,9}$")


def agreement_labels() -> dict[str, LazyString]:
    """Scale id → its label in the current language, in scale order."""
    return {
        "strongly_disagree": _l("Strongly disagree"),
        "somewhat_disagree": _l("Somewhat disagree"),
        "somewhat_agree": _l("Somewhat agree"),
        "strongly_agree": _l("Strongly agree"),
    }


def _scale_point(value: Any) -> str:
    if value not in AGREEMENT_SCALE:
        raise AnswerError("out_of_range")
    return str(value)


@register
class Likert(QuestionType):
    """Stored value: a scale id of :data:`AGREEMENT_SCALE`."""

    name = "likert"

    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> str | None:
        return self.validate(question, single_value(form, field))

    def validate(self, question: Question, value: Any) -> str | None:
        return None if value is None else _scale_point(value)


def rating_bounds(question: Question) -> tuple[int, int]:
    return (question.raw.get("min", RATING_MIN), question.raw.get("max", RATING_MAX))


@register
class Rating(QuestionType):
    """Stored value: a whole number from the question's ``min`` to its ``max``."""

    name = "rating"

    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> int | None:
        return self.validate(question, single_value(form, field))

    def validate(self, question: Question, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, str) and _WHOLE_NUMBER.match(value):
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise AnswerError("invalid_value")
        lowest, highest = rating_bounds(question)
        if not lowest <= value <= highest:
            raise AnswerError("out_of_range")
        return value


def statement_ids(question: Question) -> tuple[str, ...]:
    return tuple(statement["id"] for statement in question.raw.get("statements", ()))


@register
class Matrix(QuestionType):
    """Stored value: statement id → scale id, for the statements answered (form fields
    ``<field>.<statement id>``)."""

    name = "matrix"

    def parse(self, question: Question, form: MultiDict[str, str],
              field: str) -> dict[str, str] | None:
        return self.validate(question, dict(sub_fields(form, field)))

    def validate(self, question: Question, value: Any) -> dict[str, str] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            raise AnswerError("invalid_value")
        ids = statement_ids(question)
        if any(statement_id not in ids for statement_id in value):
            raise AnswerError("unknown_statement")
        answered = {
            statement_id: _scale_point(value[statement_id])
            for statement_id in ids if value.get(statement_id) is not None
        }
        return answered or None


def ranks_to_fill(question: Question) -> int:
    """How many options the participant ranks: ``rank``, or all of them."""
    return question.raw.get("rank") or len(question.options)


@register
class Ranking(QuestionType):
    """Stored value: option ids in rank order, as many as :func:`ranks_to_fill`, no ties.

    The form has one select per option, ``<field>.<option id>`` = its position 1..N, or ""
    for an option left unranked, so it works without JavaScript."""

    name = "ranking"

    def parse(self, question: Question, form: MultiDict[str, str],
              field: str) -> list[str] | None:
        ids = option_ids(question)
        places = ranks_to_fill(question)
        ranked: dict[int, str] = {}
        for option_id, position in sub_fields(form, field):
            if option_id not in ids:
                raise AnswerError("unknown_option")
            if position is None:
                continue
            if not _WHOLE_NUMBER.match(position):
                raise AnswerError("invalid_value")
            if not 1 <= int(position) <= places:
                raise AnswerError("out_of_range")
            if int(position) in ranked:
                raise AnswerError("duplicate_rank")
            ranked[int(position)] = option_id
        if not ranked:
            return None
        if len(ranked) < places:
            raise AnswerError("incomplete_ranking")
        return [ranked[position] for position in range(1, places + 1)]

    def validate(self, question: Question, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise AnswerError("invalid_value")
        if not value:
            return None
        ids = option_ids(question)
        if any(option_id not in ids for option_id in value):
            raise AnswerError("unknown_option")
        if len(set(value)) != len(value):
            raise AnswerError("duplicate_rank")
        places = ranks_to_fill(question)
        if len(value) > places:
            raise AnswerError("out_of_range")
        if len(value) < places:
            raise AnswerError("incomplete_ranking")
        return list(value)
