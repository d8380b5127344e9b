"""Trainees' test scores from a CSV file: one row per trainee (name or id, pre-test score,
post-test score, in percent). Every row is checked; the averages are taken only when every
row is right, so a file is never half applied.

Parsing is pure (no database): :func:`parse_scores` returns a :class:`ScoreReport`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from learning.core.csvfiles import fold, open_table

MAX_ROWS = 500

# Accepted column headings, English or French, compared without accents, case or "%".
HEADER_ALIASES = {
    "trainee": {"name", "id", "name or id", "trainee", "participant", "nom", "identifiant",
                "nom ou identifiant", "code", "participant id"},
    "pre": {"pre", "pre-test", "pre test", "pretest", "pre-test score", "pre score", "before",
            "score pre-test", "avant", "test initial"},
    "post": {"post", "post-test", "post test", "posttest", "post-test score", "post score",
             "after", "score post-test", "apres", "test final"},
}


def _fold(text: str) -> str:
    # Headings such as "Pre-test (%)" match "pre-test".
    for noise in "%()":
        text = text.replace(noise, " ")
    return fold(text)


@dataclass
class ScoreRow:
    line: int
    trainee: str
    pre_text: str
    post_text: str
    pre: Decimal | None = None
    post: Decimal | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ScoreReport:
    rows: list[ScoreRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def invalid_rows(self) -> list[ScoreRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def usable(self) -> bool:
        return bool(self.rows) and not self.file_errors and not self.invalid_rows

    def scores(self) -> list[tuple[Decimal, Decimal]]:
        return [(row.pre, row.post) for row in self.rows
                if row.pre is not None and row.post is not None]


# Whole sentences per test, so that each language can word them its own way.
_MESSAGES = {
    "pre": {
        "missing": _l("The pre-test score is missing (keep only trainees who took both "
                      "tests)."),
        "not_number": _l("The pre-test score “%(value)s” is not a number."),
        "out_of_range": _l("The pre-test score “%(value)s” is not between 0 and 100."),
    },
    "post": {
        "missing": _l("The post-test score is missing (keep only trainees who took both "
                      "tests)."),
        "not_number": _l("The post-test score “%(value)s” is not a number."),
        "out_of_range": _l("The post-test score “%(value)s” is not between 0 and 100."),
    },
}


def _score(text: str, errors: list[str], test: str) -> Decimal | None:
    messages = _MESSAGES[test]
    if not text:
        errors.append(str(messages["missing"]))
        return None
    try:
        value = Decimal(text.rstrip("%").strip().replace(",", "."))
    except InvalidOperation:
        errors.append(str(messages["not_number"]) % {"value": text})
        return None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        errors.append(str(messages["out_of_range"]) % {"value": text})
        return None
    return value


def parse_scores(text: str) -> ScoreReport:
    report = ScoreReport()
    table = open_table(text)
    if isinstance(table, str):
        report.file_errors.append(table)
        return report
    header, reader = table
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        for key, aliases in HEADER_ALIASES.items():
            if _fold(heading) in aliases and key not in columns:
                columns[key] = index
    missing = [key for key in HEADER_ALIASES if key not in columns]
    if missing:
        report.file_errors.append(str(_l(
            "These columns are missing: %(columns)s. The first line must name the columns: "
            "name (or id), pre, post.", columns=", ".join(missing))))
        return report
    seen: dict[str, int] = {}
    try:
        for values in reader:
            if not any(cell.strip() for cell in values):
                continue
            if len(report.rows) >= MAX_ROWS:
                report.file_errors.append(
                    str(_l("Only the first %(n)d rows can be imported at once.", n=MAX_ROWS)))
                break
            cells = {key: values[index].strip() if index < len(values) else ""
                     for key, index in columns.items()}
            report.rows.append(_check_row(reader.line_num, cells, seen))
    except csv.Error as error:
        report.file_errors.append(
            str(_l("The file could not be read after line %(line)d (%(error)s).",
                   line=reader.line_num, error=str(error))))
    if not report.rows and not report.file_errors:
        report.file_errors.append(str(_l("The file has a heading line but no trainees.")))
    return report


def _check_row(line: int, cells: dict[str, str], seen: dict[str, int]) -> ScoreRow:
    row = ScoreRow(line=line, trainee=cells["trainee"], pre_text=cells["pre"],
                   post_text=cells["post"])
    if not row.trainee:
        row.errors.append(str(_l("The trainee's name or id is missing.")))
    else:
        folded = _fold(row.trainee)
        if folded in seen:
            row.errors.append(str(_l("Same trainee as line %(line)d.", line=seen[folded])))
        else:
            seen[folded] = line
    row.pre = _score(row.pre_text, row.errors, "pre")
    row.post = _score(row.post_text, row.errors, "post")
    return row
