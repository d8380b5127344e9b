"""Free-text answers: short text (one line) and long text (a paragraph or more)."""

from __future__ import annotations

from typing import Any, ClassVar

from werkzeug.datastructures import MultiDict

from learning.assessments.types.base import AnswerError, QuestionType, register
from learning.assessments.types.fields import single_value
from learning.content.schema import Question

SHORT_TEXT_MAX_LENGTH = 300
LONG_TEXT_MAX_LENGTH = 5000


class _FreeText(QuestionType):
    """Stored value: the text, trimmed, line breaks as "\\n"; None when blank."""

    default_max_length: ClassVar[int]

    def max_length(self, question: Question) -> int:
        return question.raw.get("max_length", self.default_max_length)

    def parse(self, question: Question, form: MultiDict[str, str], field: str) -> str | None:
        return self.validate(question, single_value(form, field))

    def validate(self, question: Question, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise AnswerError("invalid_value")
        if "\x00" in value:
            raise AnswerError("nul_character")
        # Browsers count a line break as one character for maxlength but post it as CRLF.
        text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > self.max_length(question):
            raise AnswerError("too_long")
        return text or None


@register
class ShortText(_FreeText):
    name = "short_text"
    default_max_length = SHORT_TEXT_MAX_LENGTH


@register
class LongText(_FreeText):
    name = "long_text"
    default_max_length = LONG_TEXT_MAX_LENGTH
