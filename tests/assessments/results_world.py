"""Helpers for the results tests: fixture banks in the catalogue, a cohort, attempts and
anonymous responses written directly with known scores (no need for the taking flow), and
a reader for the tables of the results page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from flask import Flask

from learning.accounts.models import User
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
    Purpose,
)
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.content.loader import load_catalogue
from learning.content.schema import Catalogue
from learning.db import db

RESULTS_CONTENT = Path(__file__).parent / "fixtures" / "results"
SUBMITTED_AT = datetime(2030, 3, 6, 10, tzinfo=UTC)


def use_result_banks(app: Flask) -> None:
    """Put the fixture banks in the app's catalogue, beside the course's own."""
    extra = load_catalogue(RESULTS_CONTENT)
    current: Catalogue = app.extensions["tandem_catalogue"]
    app.extensions["tandem_catalogue"] = Catalogue(
        units=current.units, quizzes={**current.quizzes, **extra.quizzes})


def make_cohort(app: Flask, countries: tuple[str, ...] = ("BI", "NE"),
                facilitator: User | None = None, slug: str = "tot",
                participants: tuple[User, ...] = ()) -> int:
    with app.app_context():
        cohort = Cohort(name=f"ToT {slug}", slug=slug, start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code=code) for code in countries])
        if facilitator is not None:
            cohort.facilitators = [CohortFacilitator(user_id=facilitator.id)]
        db.session.add(cohort)
        db.session.flush()
        for person in participants:
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=person.id))
        db.session.commit()
        return cohort.id


def add_attempt(app: Flask, user: User, cohort_id: int, bank_id: str, purpose: Purpose, *,
                score: float | None = None, max_score: float | None = None,
                answers: dict[str, Any] | None = None, points: dict[str, float] | None = None,
                number: int = 1, status: AttemptStatus = AttemptStatus.SUBMITTED) -> None:
    """An attempt as the taking flow leaves it; ``points`` gives scored answers' points."""
    with app.app_context():
        submitted = status == AttemptStatus.SUBMITTED
        attempt = Attempt(
            user_id=user.id, cohort_id=cohort_id, bank_id=bank_id, purpose=purpose,
            number=number, status=status,
            open_key=None if submitted else f"{user.id}:{bank_id}:{purpose.value}",
            score=score, max_score=max_score,
            percent=100 * score / max_score if score is not None and max_score else None,
            submitted_at=SUBMITTED_AT if submitted else None,
        )
        attempt.answers = [
            Answer(question_id=question_id, value=value,
                   points=(points or {}).get(question_id))
            for question_id, value in (answers or {}).items()
        ]
        db.session.add(attempt)
        db.session.commit()


def add_anonymous_response(app: Flask, cohort_id: int, bank_id: str, language: str,
                           answers: dict[str, Any]) -> None:
    with app.app_context():
        response = AnonymousResponse(bank_id=bank_id, cohort_id=cohort_id, language=language,
                                     submitted_on=SUBMITTED_AT.date())
        response.answers = [AnonymousAnswer(question_id=question_id, value=value)
                            for question_id, value in answers.items()]
        db.session.add(response)
        db.session.commit()


@dataclass
class _Table:
    id: str | None
    caption: str = ""
    rows: list[list[str]] = field(default_factory=list)


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[_Table] = []
        self._open: list[_Table] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._open.append(_Table(dict(attrs).get("id")))
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._open:
            self._open[-1].rows.append([])
        elif tag in ("td", "th") and self._open:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self.tables.append(self._open.pop())
        elif tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None and self._open:
            self._open[-1].rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self._open:
            self._open[-1].caption += data.strip()
        elif self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> list[_Table]:
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


def table_rows(html: str, *, table_id: str | None = None,
               caption: str | None = None) -> list[list[str]]:
    """The rows (cell texts, header rows included) of the table with this id or caption."""
    for table in page_tables(html):
        if (table_id is not None and table.id == table_id) or (
                caption is not None and table.caption == caption):
            return table.rows
    raise AssertionError(f"no table {table_id or caption!r} on the page")
