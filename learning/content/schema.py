"""The course as immutable values: units, sections, question banks and the catalogue.

Everything here is built once by ``loader.load_catalogue`` and shared read-only by every
request, so all types are frozen and their collections are tuples or read-only mappings.
The database keys learner state by the stable ids these objects carry (``Section.id``,
``Reflection.id``, ``Question.id``, ``Option.id``), never by position.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

LANGUAGES: tuple[str, ...] = ("en", "fr")

UNIT_KINDS = frozenset({"precourse", "module"})
SECTION_KINDS = frozenset(
    {"reading", "case-study", "role-play", "discussion", "reflection", "facilitator-notes"}
)
FACILITATOR_NOTES = "facilitator-notes"

class BankKind(StrEnum):
    """What a question bank is for (``kind:`` in its YAML)."""

    QUIZ = "quiz"
    KNOWLEDGE_TEST = "knowledge-test"
    CONFIDENCE = "confidence"
    LEARNING_STYLE = "learning-style"
    RATING = "rating"
    EVALUATION = "evaluation"
    SURVEY = "survey"


# The question types of the assessments engine (learning/assessments/types), one class each.
CHOICE_QUESTION_TYPES = frozenset({"single_choice", "multiple_choice"})
QUESTION_TYPES = frozenset(
    {
        "single_choice",
        "multiple_choice",
        "true_false",
        "likert",
        "rating",
        "matrix",
        "ranking",
        "short_text",
        "long_text",
    }
)

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Bilingual(Generic[T]):
    """One value per course language."""

    en: T
    fr: T

    def __getitem__(self, language: str) -> T:
        if language == "fr":
            return self.fr
        if language == "en":
            return self.en
        raise KeyError(language)

    def get(self, language: str) -> T:
        """The value in ``language``, English for any language the course does not have."""
        return self.fr if language == "fr" else self.en


@dataclass(frozen=True, slots=True)
class Text(Bilingual[str]):
    """A text in English and French (plain text, escaped by the templates)."""

    @classmethod
    def empty(cls) -> Text:
        return cls(en="", fr="")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in the content, located for the person who has to fix it."""

    file: str  # relative to the content root, with forward slashes
    line: int  # 1-based; best effort (the offending key, block or link)
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Objective:
    id: str
    text: Text


@dataclass(frozen=True, slots=True)
class Reflection:
    """A reflection prompt inside a section; the participant's answer is keyed by ``id``."""

    id: str
    html: Text  # the prompt rendered and sanitised
    text: Text  # the prompt as plain text, for exports and the action-plan page


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    unit_id: str
    slug: str
    order: int  # the NN of the file name
    kind: str
    minutes: int
    title: Text
    html: Bilingual[str]  # the body rendered once at load and sanitised
    words: Bilingual[int]
    reflections: tuple[Reflection, ...]
    has_action_plan: bool
    action_plan_intro: Text
    action_plan_suggestions: Bilingual[tuple[str, ...]]
    version: str  # digest of both source files: progress records which text was seen

    @property
    def facilitator_only(self) -> bool:
        return self.kind == FACILITATOR_NOTES


@dataclass(frozen=True, slots=True)
class Unit:
    id: str
    order: int
    kind: str
    minutes: int
    prerequisites: tuple[str, ...]
    quiz_id: str | None
    title: Text
    summary: Text
    objectives: tuple[Objective, ...]
    recap: tuple[Text, ...]
    sections: tuple[Section, ...]  # in file order, facilitator notes included
    folder: Path  # the unit's source folder, where its images live

    def visible_sections(self, *, include_facilitator_notes: bool) -> tuple[Section, ...]:
        if include_facilitator_notes:
            return self.sections
        return tuple(section for section in self.sections if not section.facilitator_only)

    def objective_ids(self) -> frozenset[str]:
        return frozenset(objective.id for objective in self.objectives)


@dataclass(frozen=True, slots=True)
class Option:
    id: str
    text: Text
    explanation: Text | None


@dataclass(frozen=True, slots=True)
class Question:
    """One item of a bank. The common fields are typed; ``raw`` keeps the whole validated
    mapping (read-only) so question types added later can read their own fields."""

    id: str
    type: str
    objective: str | None
    text: Text
    options: tuple[Option, ...]
    answer: Any  # str (single choice), tuple of str (multiple choice), bool (true/false)
    explanation: Text | None
    raw: Mapping[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class QuestionBank:
    """A quiz, test or questionnaire from ``quizzes/<id>.yaml``."""

    id: str
    kind: str
    unit_id: str | None
    pass_mark: int | None  # percent, for quizzes
    title: Text
    questions: tuple[Question, ...]
    # The whole validated mapping (read-only), for kind-specific keys: forms, areas,
    # preferences, anonymous, time_limit_minutes, description.
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


Quiz = QuestionBank


@dataclass(frozen=True, slots=True, eq=False)
class Catalogue:
    """The whole course: units in course order, with lookups by id."""

    units: tuple[Unit, ...]
    quizzes: Mapping[str, QuestionBank]
    sections: Mapping[str, Section] = field(init=False)
    _units_by_id: Mapping[str, Unit] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Derived indexes; object.__setattr__ because the dataclass is frozen.
        object.__setattr__(self, "quizzes", MappingProxyType(dict(self.quizzes)))
        object.__setattr__(self, "_units_by_id", MappingProxyType({u.id: u for u in self.units}))
        sections = {s.id: s for unit in self.units for s in unit.sections}
        object.__setattr__(self, "sections", MappingProxyType(sections))

    def unit(self, unit_id: str) -> Unit | None:
        return self._units_by_id.get(unit_id)

    def section(self, section_id: str) -> Section | None:
        return self.sections.get(section_id)

    def quiz(self, quiz_id: str) -> QuestionBank | None:
        return self.quizzes.get(quiz_id)

    def unit_of(self, section: Section) -> Unit:
        return self._units_by_id[section.unit_id]

    def all_sections(self) -> Iterator[Section]:
        """Every section in course order (unit order, then file order)."""
        for unit in self.units:
            yield from unit.sections

    def visible_sections(
        self, unit_id: str, *, include_facilitator_notes: bool
    ) -> tuple[Section, ...]:
        unit = self.unit(unit_id)
        if unit is None:
            return ()
        return unit.visible_sections(include_facilitator_notes=include_facilitator_notes)

    def next_section(
        self, section_id: str, *, include_facilitator_notes: bool
    ) -> Section | None:
        """The following section in the same unit that the reader may see, if any."""
        return self._neighbour(section_id, +1, include_facilitator_notes)

    def previous_section(
        self, section_id: str, *, include_facilitator_notes: bool
    ) -> Section | None:
        return self._neighbour(section_id, -1, include_facilitator_notes)

    def _neighbour(
        self, section_id: str, step: int, include_facilitator_notes: bool
    ) -> Section | None:
        section = self.section(section_id)
        if section is None:
            return None
        unit = self.unit_of(section)
        # Walk the full list so a hidden current section (a facilitator-notes page opened by
        # a facilitator's link) still has neighbours.
        index = unit.sections.index(section) + step
        while 0 <= index < len(unit.sections):
            candidate = unit.sections[index]
            if include_facilitator_notes or not candidate.facilitator_only:
                return candidate
            index += step
        return None

    def words(self, language: str) -> int:
        return sum(section.words[language] for section in self.all_sections())
