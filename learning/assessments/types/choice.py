"""Choice questions: single choice, multiple choice, true/false — the scored types.

They earn points only when the question has an answer key (quizzes and knowledge tests);
the same types in a questionnaire have no key and are not scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from learning.assessments.types.base import AnswerError, QuestionType, register
from learning.assessments.types.fields import single_value
from learning.content.schema import Question

TRUE, FALSE = "true", "false"


def option_ids(question: Question) -> tuple[str, ...]:
    return tuple(option.id for option in question.options)


@register
class SingleChoice(QuestionType):
    """Stored value: the chosen option id."""

    name = "single_choice"
    scored = True

    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> str | None:
        return self.validate(question, single_value(form, field))

    def validate(self, question: Question, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str) or value not in option_ids(question):
            raise AnswerError("unknown_option")
        return value

    def score(self, question: Question, value: Any) -> float | None:
        if question.answer is None:
            return None
        return 1.0 if value == question.answer else 0.0


@register
class MultipleChoice(QuestionType):
    """Stored value: the chosen option ids, in the question's order, without duplicates."""

    name = "multiple_choice"
    scored = True

    def parse(self, question: Question, form: MultiDict[str, str],
              field: str) -> list[str] | None:
        return self.validate(question, form.getlist(field))

    def validate(self, question: Question, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise AnswerError("invalid_value")
        ids = option_ids(question)
        if any(option_id not in ids for option_id in value):
            raise AnswerError("unknown_option")
        if len(set(value)) != len(value):
            raise AnswerError("duplicate_option")
        return [option_id for option_id in ids if option_id in value] or None

    def score(self, question: Question, value: Any) -> float | None:
        """Partial credit: with k keyed options, +1/k for each keyed option chosen and −1/k
        for each other option chosen, floored at 0."""
        if question.answer is None:
            return None
        keyed = set(question.answer)
        chosen = set(value or ())
        right, wrong = len(chosen & keyed), len(chosen - keyed)
        return max(0.0, (right - wrong) / len(keyed))


@register
class TrueFalse(QuestionType):
    """Stored value: a bool. The form posts "true" or "false"."""

    name = "true_false"
    scored = True

    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> bool | None:
        return self.validate(question, single_value(form, field))

    def validate(self, question: Question, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        if value in (TRUE, FALSE):
            return value == TRUE
        raise AnswerError("invalid_value")

    def score(self, question: Question, value: Any) -> float | None:
        if not isinstance(question.answer, bool):
            return None
        return 1.0 if value is question.answer else 0.0


def answer_key_feedback(question: Question) -> Mapping[str, bool] | None:
    """The ``feedback`` a choice template shows after submission: for each value an input
    of the question posts (option id, or "true"/"false"), whether it is in the answer key.
    None when the question has no key."""
    key = question.answer
    if question.type == "true_false" and isinstance(key, bool):
        return {TRUE: key, FALSE: not key}
    if question.type == "single_choice" and isinstance(key, str):
        return {option_id: option_id == key for option_id in option_ids(question)}
    if question.type == "multiple_choice" and isinstance(key, list | tuple):
        return {option_id: option_id in key for option_id in option_ids(question)}
    return None
