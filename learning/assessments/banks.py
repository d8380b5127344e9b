"""What the engine reads from a question bank beyond its questions.

A bank's ``kind`` decides what it is for (see quizzes/README.md): which purposes it is
taken for, whether it earns knowledge points, whether its responses are anonymous. The
kind-specific keys (``forms``, ``time_limit_minutes``, ``preferences``, ``areas``,
``anonymous``) are read from the bank's validated source mapping, ``QuestionBank.raw``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from learning.assessments.models import Purpose
from learning.content.schema import BankKind, Question, QuestionBank, Text

Kind = BankKind


# Why each kind is taken: a quiz again and again, a test and the confidence self-rating
# before and after the modules, everything else once.
PURPOSES: dict[Kind, tuple[Purpose, ...]] = {
    Kind.QUIZ: (Purpose.QUIZ,),
    Kind.KNOWLEDGE_TEST: (Purpose.PRE, Purpose.POST),
    Kind.CONFIDENCE: (Purpose.PRE, Purpose.POST),
    Kind.LEARNING_STYLE: (Purpose.ONCE,),
    Kind.RATING: (Purpose.ONCE,),
    Kind.EVALUATION: (Purpose.ONCE,),
    Kind.SURVEY: (Purpose.ONCE,),
}
SCORED_KINDS = frozenset({Kind.QUIZ, Kind.KNOWLEDGE_TEST})

# The 4-point agreement scale; a learning-style item gives its preference these points.
LIKERT_POINTS: dict[str, int] = {
    "strongly_disagree": 0,
    "somewhat_disagree": 1,
    "somewhat_agree": 2,
    "strongly_agree": 3,
}
PREFERENCES: tuple[str, ...] = ("activist", "reflector", "theorist", "pragmatist")


@dataclass(frozen=True)
class Preference:
    id: str
    title: Text
    description: Text
    tips: Text


@dataclass(frozen=True)
class Area:
    id: str
    title: Text


def text(value: Any) -> Text:
    """A ``{en, fr}`` mapping from a bank as a Text (empty when absent)."""
    if not isinstance(value, Mapping):
        return Text.empty()
    en, fr = value.get("en"), value.get("fr")
    return Text(en=en if isinstance(en, str) else "", fr=fr if isinstance(fr, str) else "")


def kind_of(bank: QuestionBank) -> Kind | None:
    try:
        return Kind(bank.kind)
    except ValueError:
        return None


def purposes_for(bank: QuestionBank) -> tuple[Purpose, ...]:
    kind = kind_of(bank)
    return PURPOSES[kind] if kind is not None else ()


def is_scored(bank: QuestionBank) -> bool:
    return kind_of(bank) in SCORED_KINDS


def is_anonymous(bank: QuestionBank) -> bool:
    """Surveys are anonymous unless a bank says ``anonymous: false``; other kinds only when
    they say ``anonymous: true``."""
    return bool(bank.raw.get("anonymous", kind_of(bank) == Kind.SURVEY))


def time_limit(bank: QuestionBank) -> timedelta | None:
    minutes = bank.raw.get("time_limit_minutes")
    if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0:
        return timedelta(minutes=minutes)
    return None


def form_for(bank: QuestionBank, purpose: Purpose) -> str | None:
    """The form a knowledge test is taken in: ``pre`` or ``post``; None for other kinds."""
    if kind_of(bank) == Kind.KNOWLEDGE_TEST and purpose in (Purpose.PRE, Purpose.POST):
        return purpose.value
    return None


def questions_for(bank: QuestionBank, form: str | None) -> tuple[Question, ...]:
    """The questions of one sitting, in the order they are shown: a knowledge test's
    ``forms[form]`` list when the bank has one, otherwise every question of the bank.
    Ids no longer in the bank are skipped."""
    forms = bank.raw.get("forms")
    if form is None or not isinstance(forms, Mapping) or form not in forms:
        return bank.questions
    by_id = {question.id: question for question in bank.questions}
    return tuple(by_id[qid] for qid in forms[form] if qid in by_id)


def description_of(bank: QuestionBank) -> Text:
    """The bank's introduction to the participant (empty when it has none)."""
    return text(bank.raw.get("description"))


def is_required(bank: QuestionBank, question: Question) -> bool:
    required = question.raw.get("required")
    return required if isinstance(required, bool) else is_scored(bank)


def preferences_of(bank: QuestionBank) -> tuple[Preference, ...]:
    """The learning-style preferences described by the bank, in the usual order."""
    described = bank.raw.get("preferences")
    if not isinstance(described, Mapping):
        return ()
    return tuple(
        Preference(id=key, title=text(described[key].get("title")),
                   description=text(described[key].get("description")),
                   tips=text(described[key].get("tips")))
        for key in PREFERENCES if isinstance(described.get(key), Mapping)
    )


def areas_of(bank: QuestionBank) -> tuple[Area, ...]:
    return tuple(
        Area(id=item["id"], title=text(item.get("title")))
        for item in bank.raw.get("areas") or ()
        if isinstance(item, Mapping) and isinstance(item.get("id"), str)
    )


def version_of(bank: QuestionBank) -> str:
    """A digest of the bank's questions: an attempt records which wording it was given."""
    def plain(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, tuple | list):
            return [plain(item) for item in value]
        return value

    payload = json.dumps([plain(question.raw) for question in bank.questions], sort_keys=True,
                         ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
