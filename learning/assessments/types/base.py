"""The contract every question type fulfils: parse, validate, score, render.

A type is one subclass registered with :func:`register` and one template
``assessments/questions/<name>.html``. Parsing and scoring are pure functions of the
question (from the bank) and the submitted value, so they are unit-tested without a
database or a request.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from werkzeug.datastructures import MultiDict

from learning.content.schema import Question


class AnswerError(ValueError):
    """The submitted value does not fit the question; ``code`` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class QuestionType(ABC):
    name: ClassVar[str]
    #: True when the type earns knowledge points (quizzes and knowledge tests).
    scored: ClassVar[bool] = False

    @property
    def template(self) -> str:
        return f"assessments/questions/{self.name}.html"

    @abstractmethod
    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> Any:
        """The stored value from the posted form fields named ``field`` (or ``field.*``);
        ``None`` when the question was left unanswered. Raises :class:`AnswerError`."""

    @abstractmethod
    def validate(self, question: Question, value: Any) -> Any:
        """Check a value (e.g. from JSON) and return it normalised, or raise AnswerError."""

    def score(self, question: Question, value: Any) -> float | None:
        """Points in [0, 1] for scored types; None when the type is not scored."""
        return None


REGISTRY: dict[str, QuestionType] = {}


def register(cls: type[QuestionType]) -> type[QuestionType]:
    REGISTRY[cls.name] = cls()
    return cls


def question_type(name: str) -> QuestionType:
    return REGISTRY[name]
