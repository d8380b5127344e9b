"""Question-bank checks: every kind of bank and type of question in ``quizzes/*.yaml``.

The format is the one described for bank writers in ``quizzes/README.md``. Each bank is
checked on its own (keys of its kind, its questions, the keys and values of each question's
type), then the ids that must be unique across banks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from learning.content.loader import YamlDocument
from learning.content.reporting import (
    STABLE_ID,
    Reporter,
    choices,
    is_int,
    listing,
    positive_int,
)
from learning.content.schema import CHOICE_QUESTION_TYPES, QUESTION_TYPES, BankKind

QUIZ, KNOWLEDGE_TEST, CONFIDENCE, LEARNING_STYLE, RATING, EVALUATION, SURVEY = BankKind
# Only these kinds earn knowledge points; in the others choice questions have no answer.
SCORED_KINDS = frozenset({QUIZ, KNOWLEDGE_TEST})
SCORED_TYPES = frozenset({*CHOICE_QUESTION_TYPES, "true_false"})

BANK_REQUIRED_KEYS = ("id", "kind", "title", "questions")
BANK_OPTIONAL_KEYS = frozenset({"description", "instructions"})
# kind → (keys it requires, keys it may have) beyond the keys every bank has.
KIND_KEYS: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    QUIZ: (("unit", "pass_mark"), ("time_limit_minutes",)),
    KNOWLEDGE_TEST: (("forms",), ("time_limit_minutes",)),
    CONFIDENCE: (("areas",), ()),
    LEARNING_STYLE: (("preferences",), ()),
    RATING: (("unit",), ()),
    EVALUATION: ((), ("anonymous",)),
    # Required so that whoever writes a survey decides, in writing, whether it is anonymous.
    SURVEY: (("anonymous",), ()),
}
BANK_KINDS = frozenset(KIND_KEYS)
# The question types a kind may use; kinds not listed may use any type.
KIND_TYPES: Mapping[str, frozenset[str]] = {
    KNOWLEDGE_TEST: SCORED_TYPES,
    CONFIDENCE: frozenset({"rating"}),
    LEARNING_STYLE: frozenset({"likert"}),
    RATING: frozenset({"rating", "long_text"}),
}

QUESTION_KEYS = frozenset({"id", "type", "text", "help", "required", "objective"})
TYPE_KEYS: Mapping[str, frozenset[str]] = {
    "single_choice": frozenset({"options", "answer"}),
    "multiple_choice": frozenset({"options", "answer"}),
    "true_false": frozenset({"answer", "explanation"}),
    "likert": frozenset(),
    "rating": frozenset({"min", "max", "labels"}),
    "matrix": frozenset({"statements"}),
    "ranking": frozenset({"options", "rank"}),
    "short_text": frozenset({"max_length"}),
    "long_text": frozenset({"max_length"}),
}
# Keys a question has only in one kind of bank, and only for one type.
KIND_QUESTION_KEYS: Mapping[tuple[str, str], str] = {
    (CONFIDENCE, "rating"): "area",
    (LEARNING_STYLE, "likert"): "preference",
}

MIN_FORM_QUESTIONS = 25
LEARNING_PREFERENCES = ("activist", "reflector", "theorist", "pragmatist")
PREFERENCE_TEXTS = ("title", "description", "tips")
MIN_QUESTIONS_PER_PREFERENCE = 6
RATING_LOWEST, RATING_HIGHEST = 0, 10
MATRIX_STATEMENTS = (2, 12)
RANKING_OPTIONS = (3, 10)

At = tuple[str | int, ...]


def bank_id(document: YamlDocument) -> str:
    """The bank's id, or its file name when the id is missing (reported by the check)."""
    value = document.mapping().get("id")
    return value if isinstance(value, str) and value else Path(document.file).stem


class BankChecker(Reporter):
    def __init__(self, documents: Sequence[YamlDocument],
                 objectives_by_unit: Mapping[str, set[str]],
                 quiz_of_unit: Mapping[str, Any]) -> None:
        super().__init__()
        self.documents = documents
        self.objectives_by_unit = objectives_by_unit
        self.all_objectives = set().union(*objectives_by_unit.values())
        self.quiz_of_unit = quiz_of_unit

    def run(self) -> None:
        for document in self.documents:
            if isinstance(document.data, dict):
                _BankCheck(self, document).run()
            else:
                self.add(document.file, 1,
                         "a question bank must be a mapping of keys (id, kind, …)")
        self.check_unique_bank_ids()
        self.check_unique_question_ids()

    def check_unique_bank_ids(self) -> None:
        seen: dict[str, str] = {}
        for document in self.documents:
            identifier = bank_id(document)
            if identifier in seen:
                self.add(document.file, document.line("id"),
                         f"question bank id '{identifier}' is also used by {seen[identifier]}")
            seen.setdefault(identifier, document.file)

    def check_unique_question_ids(self) -> None:
        seen: dict[str, str] = {}
        for document in self.documents:
            for index, question in enumerate(_questions(document.mapping())):
                question_id = question.get("id") if isinstance(question, dict) else None
                if not isinstance(question_id, str):
                    continue
                if question_id in seen:
                    self.add(document.file, document.line("questions", index, "id"),
                             f"question id '{question_id}' is also used in {seen[question_id]}")
                seen.setdefault(question_id, document.file)


class _BankCheck:
    """The checks of one bank; problems go to the shared :class:`BankChecker`."""

    def __init__(self, checker: BankChecker, document: YamlDocument) -> None:
        self.checker = checker
        self.document = document
        self.data: dict[str, Any] = document.data
        kind = _word(self.data.get("kind"))
        self.kind = kind if kind in BANK_KINDS else None
        self.scored = self.kind in SCORED_KINDS
        # The objectives a quiz's questions must measure: those of its unit.
        self.unit_objectives: set[str] | None = None

    def add(self, path: At, message: str) -> None:
        self.checker.add(self.document.file, self.document.line(*path), message)

    def text(self, path: At, label: str) -> None:
        self.checker.check_text(self.document, path, label)

    def run(self) -> None:
        self.check_keys()
        if "title" in self.data:
            self.text(("title",), "title")
        for key in BANK_OPTIONAL_KEYS & self.data.keys():
            self.text((key,), key)
        self.check_unit()
        if "pass_mark" in self.data and self.kind == QUIZ:
            mark = self.data["pass_mark"]
            if not is_int(mark) or not 0 < mark <= 100:
                self.add(("pass_mark",), "pass_mark must be a percentage from 1 to 100")
        if "time_limit_minutes" in self.data and \
                not positive_int(self.data["time_limit_minutes"]):
            self.add(("time_limit_minutes",), "time_limit_minutes must be a whole number ≥ 1")
        if "anonymous" in self.data and not isinstance(self.data["anonymous"], bool):
            self.add(("anonymous",), "anonymous must be true or false")
        area_ids = self.check_areas() if self.kind == CONFIDENCE else set()
        if self.kind == LEARNING_STYLE:
            self.check_preferences()
        questions = self.data.get("questions")
        if "questions" in self.data and (not isinstance(questions, list) or not questions):
            self.add(("questions",), "questions must be a non-empty list")
            return
        for index, question in enumerate(_questions(self.data)):
            if isinstance(question, dict):
                _QuestionCheck(self, index, question, area_ids).run()
            else:
                self.add(("questions", index), "a question must be a mapping (id, type, text, …)")
        if self.kind == QUIZ and self.unit_objectives:
            measured = {_word(q.get("objective")) for q in _mappings(questions)}
            for objective in sorted(self.unit_objectives - measured):
                self.add(("unit",), f"no question measures objective '{objective}' of unit "
                                    f"'{self.data['unit']}'")
        if self.kind == KNOWLEDGE_TEST:
            self.check_forms()
        if self.kind == CONFIDENCE:
            self.check_every_area_rated(area_ids)
        if self.kind == LEARNING_STYLE:
            self.check_preferences_balanced()

    def check_keys(self) -> None:
        for key in BANK_REQUIRED_KEYS:
            if key not in self.data:
                self.add((), f"missing required key '{key}'")
        stem = Path(self.document.file).stem
        if "id" in self.data and self.data["id"] != stem:
            self.add(("id",), f"id '{self.data['id']}' must be the file name '{stem}'")
        if "kind" in self.data and self.kind is None:
            self.add(("kind",), f"unknown bank kind '{self.data['kind']}' "
                                f"(use {choices(BANK_KINDS)})")
        required, optional = KIND_KEYS.get(self.kind or "", ((), ()))
        for key in required:
            if key not in self.data:
                self.add((), f"missing required key '{key}' ({_a(self.kind)} bank needs it)")
        allowed = {*BANK_REQUIRED_KEYS, *BANK_OPTIONAL_KEYS, *required, *optional}
        known = {key for needed, maybe in KIND_KEYS.values() for key in (*needed, *maybe)}
        for key in self.data:
            if key in allowed:
                continue
            if key in known and self.kind is not None:
                self.add((key,), f"'{key}' does not apply to {_a(self.kind)} bank")
            elif key not in known:
                self.add((key,), f"unknown key '{key}'")

    def check_unit(self) -> None:
        if "unit" not in self.data or self.kind not in (QUIZ, RATING):
            return
        unit_id = _word(self.data["unit"])
        if unit_id is None or unit_id not in self.checker.objectives_by_unit:
            self.add(("unit",), f"unknown unit '{self.data['unit']}'")
            return
        if self.kind == QUIZ:
            self.unit_objectives = self.checker.objectives_by_unit[unit_id]
            unit_quiz = self.checker.quiz_of_unit.get(unit_id)
            if unit_quiz != self.data.get("id"):
                self.add(("unit",), f"unit '{unit_id}' names quiz '{unit_quiz}' in its "
                                    "unit.yaml, not this one")

    # --- knowledge tests ---------------------------------------------------------------

    def check_forms(self) -> None:
        forms = self.data.get("forms")
        if not isinstance(forms, dict) or set(forms) != {"pre", "post"}:
            if "forms" in self.data:
                self.add(("forms",), "forms must have a 'pre' and a 'post' list of question "
                                     "ids (and nothing else)")
            return
        objective_of = {
            q["id"]: _word(q.get("objective")) for q in _mappings(self.data.get("questions"))
            if isinstance(q.get("id"), str)
        }
        measured: dict[str, Counter[Any]] = {}
        for name in ("pre", "post"):
            ids = forms[name]
            if not isinstance(ids, list):
                self.add(("forms", name), f"form '{name}' must be a list of question ids")
                return
            for position, question_id in enumerate(ids):
                if not isinstance(question_id, str) or question_id not in objective_of:
                    self.add(("forms", name, position),
                             f"form '{name}': no question '{question_id}' in this bank")
                elif ids.index(question_id) != position:
                    self.add(("forms", name, position),
                             f"form '{name}' lists question '{question_id}' twice")
            known = {question_id for question_id in ids
                     if isinstance(question_id, str) and question_id in objective_of}
            if len(known) < MIN_FORM_QUESTIONS:
                self.add(("forms", name), f"form '{name}' has {len(known)} questions; each "
                                          f"form needs at least {MIN_FORM_QUESTIONS}")
            measured[name] = Counter(objective_of[question_id] for question_id in known)
        pre, post = measured["pre"], measured["post"]
        for objective in sorted(set(pre) | set(post), key=str):
            if pre[objective] != post[objective]:
                self.add(("forms",), f"the forms are not matched by objective: "
                                     f"'{objective}' has {pre[objective]} question(s) in pre "
                                     f"and {post[objective]} in post")

    # --- confidence ----------------------------------------------------------------------

    def check_areas(self) -> set[str]:
        areas = self.data.get("areas")
        if not isinstance(areas, list) or not areas:
            if "areas" in self.data:
                self.add(("areas",), "areas must be a list of items with id and title")
            return set()
        ids: set[str] = set()
        for index, area in enumerate(areas):
            if not isinstance(area, dict):
                self.add(("areas", index), "an area needs id and title")
                continue
            area_id = area.get("id")
            self.checker.check_id(self.document, ("areas", index, "id"), area_id, "area id")
            if isinstance(area_id, str):
                if area_id in ids:
                    self.add(("areas", index, "id"), f"area id '{area_id}' is used twice")
                ids.add(area_id)
            self.text(("areas", index, "title"), f"area {area_id or index + 1} title")
        return ids

    def check_every_area_rated(self, area_ids: set[str]) -> None:
        rated = {_word(q.get("area")) for q in _mappings(self.data.get("questions"))}
        for area_id in sorted(area_ids - rated):
            self.add(("areas",), f"no question rates area '{area_id}'")

    # --- learning style ------------------------------------------------------------------

    def check_preferences(self) -> None:
        preferences = self.data.get("preferences")
        if not isinstance(preferences, dict):
            if "preferences" in self.data:
                self.add(("preferences",), "preferences must map each of "
                                           f"{', '.join(LEARNING_PREFERENCES)} to its texts")
            return
        for name in LEARNING_PREFERENCES:
            if name not in preferences:
                self.add(("preferences",), f"preferences: '{name}' is missing")
                continue
            for text in PREFERENCE_TEXTS:
                self.text(("preferences", name, text), f"preference {name} {text}")
        for name in preferences:
            if name not in LEARNING_PREFERENCES:
                self.add(("preferences", name), f"unknown preference '{name}' (use "
                                                f"{', '.join(LEARNING_PREFERENCES)})")

    def check_preferences_balanced(self) -> None:
        """Every preference is scored from as many items, so the profile compares like
        with like."""
        counts = Counter(_word(q.get("preference"))
                         for q in _mappings(self.data.get("questions")))
        numbers = {name: counts[name] for name in LEARNING_PREFERENCES}
        if min(numbers.values()) < MIN_QUESTIONS_PER_PREFERENCE or \
                len(set(numbers.values())) > 1:
            summary = ", ".join(f"{name} {number}" for name, number in numbers.items())
            self.add(("questions",), f"each preference needs the same number of questions, "
                                     f"at least {MIN_QUESTIONS_PER_PREFERENCE} (now: {summary})")


class _QuestionCheck:
    def __init__(self, bank: _BankCheck, index: int, question: dict[str, Any],
                 area_ids: set[str]) -> None:
        self.bank = bank
        self.at: At = ("questions", index)
        self.question = question
        self.area_ids = area_ids
        question_id = question.get("id")
        self.name = f"question {question_id}" if isinstance(question_id, str) else \
            f"question {index + 1}"
        declared = _word(question.get("type"))
        self.type = declared if declared in QUESTION_TYPES else None

    def add(self, path: At, message: str) -> None:
        self.bank.add((*self.at, *path), f"{self.name}{message}")

    def text(self, path: At, label: str) -> None:
        self.bank.text((*self.at, *path), f"{self.name} {label}")

    def run(self) -> None:
        question = self.question
        self.bank.checker.check_id(self.bank.document, (*self.at, "id"), question.get("id"),
                                   "question id")
        if self.type is None:
            self.add(("type",), f": unknown type '{question.get('type')}' "
                                f"(use {choices(QUESTION_TYPES)})")
        elif self.type not in KIND_TYPES.get(self.bank.kind or "", QUESTION_TYPES):
            self.add(("type",), f": {_a(self.bank.kind)} bank has no {self.type} questions "
                                f"(use {choices(KIND_TYPES[self.bank.kind or ''])})")
        self.text(("text",), "text")
        if "help" in question:
            self.text(("help",), "help")
        if "required" in question and not isinstance(question["required"], bool):
            self.add(("required",), ": required must be true or false")
        self.check_keys()
        self.check_objective()
        if self.type in CHOICE_QUESTION_TYPES:
            self.check_choice()
        elif self.type == "true_false":
            self.check_true_false()
        elif self.type == "likert":
            self.check_context_key("preference", LEARNING_STYLE, set(LEARNING_PREFERENCES))
        elif self.type == "rating":
            self.check_rating()
            self.check_context_key("area", CONFIDENCE, self.area_ids)
        elif self.type == "matrix":
            self.check_matrix()
        elif self.type == "ranking":
            self.check_ranking()
        elif self.type in ("short_text", "long_text") and "max_length" in question:
            if not positive_int(question["max_length"]):
                self.add(("max_length",), ": max_length must be a whole number ≥ 1")

    def check_keys(self) -> None:
        if self.type is None:
            return
        allowed = QUESTION_KEYS | TYPE_KEYS[self.type]
        if self.bank.kind is not None and not self.scored:
            allowed -= {"answer"}
        context_key = KIND_QUESTION_KEYS.get((self.bank.kind or "", self.type))
        for key in self.question:
            if key in allowed or key == context_key:
                continue
            if key == "answer" and self.type in SCORED_TYPES:
                self.add((key,), f": {_a(self.bank.kind)} bank is not scored, so its questions "
                                 "have no answer")
            elif key == "options" and self.type == "likert":
                self.add((key,), ": a likert question has no options (it uses the four-point "
                                 "agreement scale)")
            else:
                self.add((key,), f": '{key}' is not a key of a {self.type} question"
                                 + (f" in {_a(self.bank.kind)} bank" if self.bank.kind else ""))

    def check_objective(self) -> None:
        objective = self.question.get("objective")
        if objective is None:
            if self.bank.scored:
                self.add((), " has no objective (the objective id it measures)")
            return
        unit_objectives = self.bank.unit_objectives
        if not isinstance(objective, str):
            self.add(("objective",), ": objective must be an objective id, such as m1-o2")
        elif unit_objectives is not None:
            if objective not in unit_objectives:
                self.add(("objective",), f": objective '{objective}' is not an objective of "
                                         "the unit")
        elif objective not in self.bank.checker.all_objectives:
            self.add(("objective",), f": objective '{objective}' is not an objective of any "
                                     "unit")

    def check_context_key(self, key: str, kind: str, known: set[str]) -> None:
        if self.bank.kind != kind:
            return
        value = self.question.get(key)
        if value is None:
            self.add((), f" has no {key} ({_a(kind)} bank groups its questions by {key})")
        elif _word(value) not in known:
            self.add((key,), f": unknown {key} '{value}' (use {choices(sorted(known))})")

    def check_options(self, least: int, most: int | None = None) -> list[str]:
        """The option ids, after reporting options that are missing, unnamed or repeated."""
        options = self.question.get("options")
        if not isinstance(options, list) or len(options) < least or \
                (most is not None and len(options) > most):
            extent = f"{least} to {most}" if most is not None else f"at least {least}"
            self.add(("options",), f" needs a list of {extent} options")
            return []
        ids: list[str] = []
        for position, option in enumerate(options):
            if not isinstance(option, dict) or not isinstance(option.get("id"), str):
                self.add(("options", position), f": option {position + 1} needs an id (a, b, "
                                                "c, …) written as text")
                continue
            option_id = option["id"]
            if not STABLE_ID.match(option_id):
                self.add(("options", position, "id"), f": option id '{option_id}' must be "
                                                      "lower-case letters, digits and '-' only")
            if option_id in ids:
                self.add(("options", position, "id"), f": option id '{option_id}' is used "
                                                      "twice")
            ids.append(option_id)
            self.text(("options", position, "text"), f"option {option_id}")
            allowed = {"id", "text", "explanation"} if self.type in CHOICE_QUESTION_TYPES \
                else {"id", "text"}
            for key in option:
                if key not in allowed:
                    self.add(("options", position, key), f": option {option_id} has an unknown "
                                                         f"key '{key}'")
            if self.type in CHOICE_QUESTION_TYPES and ("explanation" in option or self.scored):
                self.text(("options", position, "explanation"), f"option {option_id} "
                                                                "explanation")
        return ids

    @property
    def scored(self) -> bool:
        return self.bank.scored

    def check_choice(self) -> None:
        option_ids = self.check_options(2)
        if not option_ids or not self.scored:
            return
        answer = self.question.get("answer")
        if self.type == "single_choice":
            if not isinstance(answer, str) or answer not in option_ids:
                self.add(("answer",), f": answer {answer!r} is not one of the option ids "
                                      f"{listing(option_ids)}")
            return
        if not isinstance(answer, list) or not answer:
            self.add(("answer",), ": a multiple_choice answer is a list of option ids, e.g. "
                                  "[a, c]")
            return
        for key in answer:
            if key not in option_ids:
                self.add(("answer",), f": answer key {key!r} is not one of the option ids "
                                      f"{listing(option_ids)}")
        if len(set(map(str, answer))) != len(answer):
            self.add(("answer",), ": an answer key is repeated")

    def check_true_false(self) -> None:
        if self.scored and not isinstance(self.question.get("answer"), bool):
            self.add(("answer",), f": a true_false answer must be true or false "
                                  f"(got {self.question.get('answer')!r})")
        if "explanation" in self.question or self.scored:
            self.text(("explanation",), "explanation")

    def check_rating(self) -> None:
        lowest = self.question.get("min", RATING_LOWEST)
        highest = self.question.get("max", RATING_HIGHEST)
        for key, value in (("min", lowest), ("max", highest)):
            if not is_int(value) or not RATING_LOWEST <= value <= RATING_HIGHEST:
                self.add((key,), f": {key} must be a whole number from {RATING_LOWEST} to "
                                 f"{RATING_HIGHEST}")
                return
        if lowest >= highest:
            self.add(("max",), f": max ({highest}) must be greater than min ({lowest})")
        labels = self.question.get("labels")
        if "labels" not in self.question:
            return
        if not isinstance(labels, dict) or set(labels) != {"min", "max"}:
            self.add(("labels",), ": labels must have a min and a max text, each with en "
                                  "and fr")
            return
        for end in ("min", "max"):
            self.text(("labels", end), f"{end} label")

    def check_matrix(self) -> None:
        statements = self.question.get("statements")
        least, most = MATRIX_STATEMENTS
        if not isinstance(statements, list) or not least <= len(statements) <= most:
            self.add(("statements",), f" needs a list of {least} to {most} statements")
            return
        ids: set[str] = set()
        for position, statement in enumerate(statements):
            where = ("statements", position)
            if not isinstance(statement, dict):
                self.add(where, f": statement {position + 1} needs an id and a text")
                continue
            statement_id = statement.get("id")
            self.bank.checker.check_id(self.bank.document, (*self.at, *where, "id"),
                                       statement_id, f"{self.name} statement id")
            if isinstance(statement_id, str):
                if statement_id in ids:
                    self.add((*where, "id"), f": statement id '{statement_id}' is used twice")
                ids.add(statement_id)
            self.text((*where, "text"), f"statement {statement_id or position + 1}")
            for key in statement:
                if key not in ("id", "text"):
                    self.add((*where, key), f": statement {statement_id or position + 1} has "
                                            f"an unknown key '{key}'")

    def check_ranking(self) -> None:
        least, most = RANKING_OPTIONS
        option_ids = self.check_options(least, most)
        if "rank" in self.question and option_ids:
            rank = self.question["rank"]
            if not is_int(rank) or not 1 <= rank <= len(option_ids):
                self.add(("rank",), f": rank (how many options to rank) must be a whole "
                                    f"number from 1 to {len(option_ids)}")


def _a(word: str | None) -> str:
    """``word`` with its indefinite article: "a quiz", "an evaluation"."""
    text = word or ""
    return f"an {text}" if text[:1] in ("a", "e", "i", "o", "u") else f"a {text}"


def _word(value: Any) -> str | None:
    """``value`` when it is a string: the other YAML values cannot be ids or names."""
    return value if isinstance(value, str) else None


def _questions(data: Mapping[str, Any]) -> list[Any]:
    questions = data.get("questions")
    return questions if isinstance(questions, list) else []


def _mappings(items: Any) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
