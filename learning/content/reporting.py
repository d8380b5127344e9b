"""What the unit checks and the question-bank checks share: collecting located problems and
the value rules both apply (bilingual texts, stable ids)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from learning.content.loader import LANGUAGE_NAMES, YamlDocument
from learning.content.schema import LANGUAGES, Problem

# Ids end up in URLs, database keys and HTML attributes: keep them plain.
STABLE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class Reporter:
    """Collects problems; the ``check_*`` helpers report on a value of a YAML document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, max(line, 1), message))

    def check_text(self, document: YamlDocument, path: tuple[str | int, ...],
                   label: str) -> None:
        """``path`` must hold ``{en: ..., fr: ...}`` with both texts filled in."""
        value = value_at(document.data, path)
        if not isinstance(value, dict):
            self.add(document.file, document.line(*path),
                     f"{label} must have en and fr text")
            return
        for language in LANGUAGES:
            text = value.get(language)
            if not isinstance(text, str) or not text.strip():
                self.add(document.file, document.line(*path, language),
                         f"{label} has no {LANGUAGE_NAMES[language]} text")

    def check_id(self, document: YamlDocument, path: tuple[str | int, ...], value: Any,
                 label: str) -> None:
        if not isinstance(value, str) or not value:
            self.add(document.file, document.line(*path), f"{label} is missing")
        elif not STABLE_ID.match(value):
            self.add(document.file, document.line(*path),
                     f"{label} '{value}' must be lower-case letters, digits and '-' only")


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` (keys and list indexes) in parsed YAML, or None."""
    for key in path:
        if isinstance(key, int) and isinstance(data, list) and 0 <= key < len(data):
            data = data[key]
        elif isinstance(key, str) and isinstance(data, dict):
            data = data.get(key)
        else:
            return None
    return data


def positive_int(value: Any) -> bool:
    return is_int(value) and value >= 1


def is_int(value: Any) -> bool:
    """A YAML whole number (``true`` loads as a bool, which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def choices(values: frozenset[str] | Sequence[str]) -> str:
    return ", ".join(sorted(values))


def listing(values: Sequence[Any]) -> str:
    return "[" + ", ".join(str(value) for value in values) + "]"
