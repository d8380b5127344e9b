"""The cohort results as tables for download: CSV (UTF-8 with a BOM) and XLSX.

Headers and labels are in the viewer's language (the request's locale). Percentages are
written as numbers from 0 to 100 under a "(%)" header, so a spreadsheet can compute with
them; "undefined" gains and "fewer than 5 responses" are written as words. Text that a
spreadsheet would run as a formula is neutralised (see :func:`neutralise`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import xlsxwriter
from flask_babel import gettext as _

from learning.assessments import banks, results
from learning.assessments import statistics as stats
from learning.assessments.types import scales
from learning.content.schema import Question, QuestionBank
from learning.core.spreadsheets import csv_bytes, neutralise
from learning.i18n.countries import country_name

Cell = str | int | float | None

SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True, slots=True)
class Table:
    name: str  # sheet name and part of the file name
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


# --- what the cells say ----------------------------------------------------------------------


def answer_label(question: Question, point: Hashable, language: str) -> str:
    """What a point of a question's scale is called: an agreement, an option, a number."""
    if question.type in ("likert", "matrix"):
        return str(scales.agreement_labels().get(str(point), point))
    if question.type == "true_false":
        return _("True") if point is True else _("False")
    option = next((option for option in question.options if option.id == point), None)
    return option.text.get(language) if option is not None else str(point)


def statement_text(question: Question, statement_id: str | None, language: str) -> str:
    for statement in question.raw.get("statements") or ():
        if statement.get("id") == statement_id:
            return str(banks.text(statement.get("text")).get(language))
    return ""


def bank_title(bank_id: str, bank: QuestionBank | None, language: str) -> str:
    return bank.title.get(language) if bank is not None and bank.title.get(language) else bank_id


def undefined_gain() -> str:
    return _("undefined")


def fewer_than_minimum() -> str:
    return _("fewer than %(num)d responses", num=stats.MINIMUM_GROUP)


def _percent(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _decimal(value: float | None, places: int = 3) -> float | None:
    return round(value, places) if value is not None else None


# --- the tables ------------------------------------------------------------------------------


def knowledge_table(knowledge: results.KnowledgeResults, language: str) -> Table:
    """Paired means and gains per country and for everyone shown."""
    def row(group: results.GroupKnowledge) -> tuple[Cell, ...]:
        summary = group.summary
        return (
            country_name(group.country_code, language) if group.country_code else _("All"),
            summary.paired_n,
            _percent(summary.mean_pre),
            _percent(summary.mean_post),
            _percent(summary.mean_difference),
            _decimal(summary.class_average_gain),
            _decimal(summary.mean_individual_gain),
            summary.defined_gain_n,
            group.pre_only,
            group.post_only,
        )

    return Table(
        name=_("Knowledge"),
        headers=(
            _("Country"), _("Participants with both tests"), _("Mean pre-test (%)"),
            _("Mean post-test (%)"), _("Mean difference (percentage points)"),
            _("Class-average normalised gain"), _("Mean of individual normalised gains"),
            _("Participants with a defined individual gain"), _("Pre-test only"),
            _("Post-test only"),
        ),
        rows=tuple(row(group) for group in (*knowledge.countries, knowledge.overall)),
    )


def participants_table(knowledge: results.KnowledgeResults, language: str) -> Table:
    """One row per participant: the paired ones, then those with one test only."""
    def status(learner: results.LearnerKnowledge) -> str:
        if learner.paired:
            return _("Both tests")
        return _("Pre-test only") if learner.post is None else _("Post-test only")

    def gain(learner: results.LearnerKnowledge) -> Cell:
        if not learner.paired:
            return None
        return _decimal(learner.gain) if learner.gain is not None else undefined_gain()

    return Table(
        name=_("Participants"),
        headers=(_("Name"), _("Country"), _("Tests taken"), _("Pre-test (%)"),
                 _("Post-test (%)"), _("Difference (percentage points)"),
                 _("Normalised gain")),
        rows=tuple(
            (learner.name, country_name(learner.country_code, language),
             status(learner), _percent(learner.pre), _percent(learner.post),
             _percent(learner.difference), gain(learner))
            for learner in (*knowledge.paired, *knowledge.unpaired)
        ),
    )


def items_table(items: results.ItemResults, language: str) -> Table:
    def measures(statistics: results.ItemStatistics | None) -> tuple[Cell, ...]:
        if statistics is None:
            return (None, None, None, None)
        return (statistics.answers, _percent(statistics.difficulty),
                _decimal(statistics.point_biserial), _decimal(statistics.upper_lower))

    return Table(
        name=_("Items"),
        headers=(
            _("Item"), _("Question"),
            _("Before: answers"), _("Before: share correct (%)"),
            _("Before: point-biserial (item–rest)"), _("Before: upper–lower index (27 %)"),
            _("After: answers"), _("After: share correct (%)"),
            _("After: point-biserial (item–rest)"), _("After: upper–lower index (27 %)"),
            _("Change in share correct (percentage points)"),
        ),
        rows=tuple(
            (item.question_id,
             item.question.text.get(language) if item.question else "",
             *measures(item.pre), *measures(item.post), _percent(item.difficulty_change))
            for item in items.items
        ),
    )


def confidence_table(confidence: results.ConfidenceResults, language: str) -> Table:
    scale = tuple(dict.fromkeys(point for area in confidence.areas
                                for point, _count in area.before.counts))
    headers = (
        _("Area"), _("Median before"), _("Median after"), _("Participants rated both times"),
        _("Participants whose confidence rose"), _("Participants whose confidence rose (%)"),
        *(_("Before: %(rating)s", rating=point) for point in scale),
        *(_("After: %(rating)s", rating=point) for point in scale),
    )
    return Table(
        name=_("Confidence"),
        headers=headers,
        rows=tuple(
            (area.area.title.get(language) or area.area.id, area.median_before,
             area.median_after, area.change.n, area.change.rose,
             _percent(area.change.share_rose),
             *(area.before.count(point) for point in scale),
             *(area.after.count(point) for point in scale))
            for area in confidence.areas
        ),
    )


def survey_table(survey: results.SurveyResults, language: str) -> Table:
    """Long form: one row per answer point, ranked option or free-text answer."""
    headers = (_("Question id"), _("Question"), _("Statement or option"), _("Answer"),
               _("Responses"), _("Mean rank"), _("Ranked first"))
    if survey.suppressed:
        return Table(_("Survey"), headers, (("", "", "", fewer_than_minimum(), None, None,
                                             None),))
    rows: list[tuple[Cell, ...]] = []
    for result in survey.questions:
        question = result.question
        head: tuple[Cell, ...] = (question.id, question.text.get(language))
        if result.suppressed:
            rows.append((*head, "", fewer_than_minimum(), None, None, None))
        for scale_row in result.rows:
            statement = statement_text(question, scale_row.statement_id, language)
            if scale_row.distribution is None:
                rows.append((*head, statement, fewer_than_minimum(), None, None, None))
                continue
            for point, count in scale_row.distribution.counts:
                rows.append((*head, statement, answer_label(question, point, language),
                             count, None, None))
        for option in result.ranking:
            rows.append((*head, answer_label(question, option.option_id, language),
                         "", option.n, _decimal(option.mean_rank, 2), option.first_place))
        for free_text in result.texts:
            rows.append((*head, "", free_text.text, None, None, None))
    return Table(_("Survey"), headers, tuple(rows))


# --- writing the files -----------------------------------------------------------------------


def to_csv(table: Table) -> bytes:
    return csv_bytes(table.headers, table.rows)


def _sheet_name(name: str) -> str:
    return SHEET_NAME_FORBIDDEN.sub(" ", name)[:31] or "Sheet1"


def to_xlsx(table: Table) -> bytes:
    buffer = io.BytesIO()
    # Strings stay strings: never turned into formulas, links or numbers by the writer.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False,
                                            "strings_to_numbers": False})
    sheet = workbook.add_worksheet(_sheet_name(table.name))
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    for column, header in enumerate(table.headers):
        sheet.write_string(0, column, neutralise(header), bold)
        sheet.set_column(column, column, min(max(len(header), 10), 40))
    for row_number, row in enumerate(table.rows, start=1):
        _write_row(sheet, row_number, row)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _write_row(sheet: xlsxwriter.worksheet.Worksheet, row_number: int,
               row: Sequence[Cell]) -> None:
    for column, value in enumerate(row):
        if value is None:
            continue
        if isinstance(value, str):
            sheet.write_string(row_number, column, neutralise(value))
        else:
            sheet.write_number(row_number, column, value)
