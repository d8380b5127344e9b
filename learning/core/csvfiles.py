"""Reading CSV files that people upload: encoding, separator, headings.

Shared by every importer (people for a cohort, trainees' scores), so each one says the same
thing about a file in the wrong encoding, an empty file or one that is not CSV.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from typing import Protocol

from flask_babel import lazy_gettext as _l


class Rows(Protocol):
    """What csv.reader gives back: rows, and the line the last one ended on."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


def decode_upload(data: bytes) -> tuple[str | None, str | None]:
    """Return (text, error). Accepts UTF-8 with or without a BOM; names other encodings."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, str(_l("The file is not in UTF-8. In Excel, choose “Save as” then "
                            "“CSV UTF-8 (comma delimited)”, and upload it again."))


def fold(text: str) -> str:
    """A heading or value compared without accents, case, underscores or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.replace("_", " ").replace("’", "'").lower().split())


def open_table(text: str) -> tuple[list[str], Rows] | str:
    """The heading row and a reader for the rest, or a message saying why not.

    The separator is the comma, or the semicolon that French versions of Excel write.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        return str(_l("The file is empty."))
    first = lines[0]
    reader = csv.reader(io.StringIO(text), delimiter=";" if first.count(";") > first.count(",")
                        else ",")
    try:
        return next(reader), reader
    except csv.Error:
        return str(_l("The file could not be read as CSV."))
