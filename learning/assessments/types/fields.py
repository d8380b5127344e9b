"""Reading one question's fields from a posted form, refusing what a browser never sends."""

from __future__ import annotations

from collections.abc import Iterator

from werkzeug.datastructures import MultiDict

from learning.assessments.types.base import AnswerError


def single_value(form: MultiDict[str, str], name: str) -> str | None:
    """The one value posted under ``name``; None when absent or empty (nothing chosen)."""
    values = form.getlist(name)
    if len(values) > 1:
        raise AnswerError("invalid_value")
    return values[0] if values and values[0] != "" else None


def sub_fields(form: MultiDict[str, str], field: str) -> Iterator[tuple[str, str | None]]:
    """``(key, value)`` for every field named ``<field>.<key>``, value None when empty."""
    prefix = f"{field}."
    for name in form:
        if name.startswith(prefix):
            yield name[len(prefix):], single_value(form, name)
