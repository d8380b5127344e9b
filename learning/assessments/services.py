"""Attempts: start or resume, save answers, submit once, score, and what a person has done.

- One open attempt per person, bank and purpose: ``open_key`` is unique while the attempt
  is open, so two tabs (or two devices) starting at once share one attempt.
- Answers are saved as they are given; every value goes through its question type, and a
  refused value stores nothing.
- Submission takes a lock with a conditional ``UPDATE … WHERE status = 'open'``: of two
  submits (a double click, the other tab) exactly one scores, and both see its result.
- An attempt whose time is up, or whose window has closed, takes no more answers and is
  finished from the answers already saved — never scored as if empty.
- Anonymous banks: on submission the answers move to an ``AnonymousResponse`` (cohort,
  language, day only) and the attempt keeps no answers and no submission time.

Services flush; the views commit (the answer writes commit through ``run_once``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from learning.accounts.models import User
from learning.assessments import banks, gating, scoring
from learning.assessments.banks import Kind
from learning.assessments.models import (
    AnonymousAnswer,
    AnonymousResponse,
    Answer,
    Attempt,
    AttemptStatus,
    Purpose,
)
from learning.assessments.types import AnswerError, question_type
from learning.content.schema import Catalogue, Question, QuestionBank
from learning.courses.catalogue import get_catalogue
from learning.db import db

# Why an attempt takes no more answers.
SUBMITTED, TIME_UP, WINDOW_CLOSED = "submitted", "time_up", "closed"


class AttemptClosed(Exception):
    """The attempt takes no more answers; ``reason`` is SUBMITTED or TIME_UP."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidAnswers(ValueError):
    """Some posted values do not fit their questions: question id → AnswerError code."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(", ".join(f"{qid}: {code}" for qid, code in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Sitting:
    """An attempt with the bank it is taken on and its questions, in the order shown."""

    attempt: Attempt
    bank: QuestionBank
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


# --- finding and starting attempts --------------------------------------------------------


def open_key(user_id: int, bank_id: str, purpose: Purpose) -> str:
    return f"{user_id}:{bank_id}:{purpose.value}"


def open_attempt(user: User, bank: QuestionBank, purpose: Purpose) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.open_key == open_key(user.id, bank.id, purpose)))


def own_attempt(user: User, attempt_id: int) -> Attempt | None:
    """The person's own attempt; another person's id is simply not found."""
    return db.session.scalar(select(Attempt).where(Attempt.id == attempt_id,
                                                   Attempt.user_id == user.id))


def sitting_of(catalogue: Catalogue, attempt: Attempt) -> Sitting | None:
    bank = catalogue.quiz(attempt.bank_id)
    if bank is None:
        return None
    return Sitting(attempt, bank, banks.questions_for(bank, attempt.form))


def start_attempt(user: User, bank: QuestionBank, purpose: Purpose, now: datetime) -> Attempt:
    """The open attempt for this bank and purpose, created if there is none.

    The caller has checked the gate. Two requests racing here both end with the same
    attempt: the second one's insert breaks the unique ``open_key`` and it reads the first.
    """
    existing = open_attempt(user, bank, purpose)
    if existing is not None:
        return existing
    number = db.session.scalar(
        select(func.coalesce(func.max(Attempt.number), 0))
        .where(Attempt.user_id == user.id, Attempt.bank_id == bank.id,
               Attempt.purpose == purpose)) or 0
    limit = banks.time_limit(bank)
    cohort = gating.current_cohort(user)
    attempt = Attempt(
        user_id=user.id, cohort_id=cohort.id if cohort else None, bank_id=bank.id,
        purpose=purpose, number=number + 1, status=AttemptStatus.OPEN,
        open_key=open_key(user.id, bank.id, purpose), form=banks.form_for(bank, purpose),
        content_version=banks.version_of(bank), started_at=now,
        expires_at=now + limit if limit else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        existing = open_attempt(user, bank, purpose)
        if existing is None:
            raise
        return existing
    return attempt


def is_expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.expires_at is not None and now >= attempt.expires_at


def closing_reason(catalogue: Catalogue, situation: gating.Situation, bank: QuestionBank,
                   attempt: Attempt, now: datetime) -> str | None:
    """Why an open attempt no longer takes answers and is to be finished from the ones
    saved: TIME_UP, or WINDOW_CLOSED when its gate has closed since it began (the pre-test
    once module 1 is opened); None while it takes answers."""
    if is_expired(attempt, now):
        return TIME_UP
    gate = gating.gate(catalogue, situation, bank, attempt.purpose)
    return WINDOW_CLOSED if not gate.open and gate.reason != gating.Reason.ALREADY_DONE \
        else None


# --- answers ------------------------------------------------------------------------------


def field_name(question: Question) -> str:
    """The name of a question's form field(s) on the page (types may add ``.suffix``)."""
    return f"q-{question.id}"


def answers_of(attempt: Attempt) -> dict[str, Answer]:
    rows = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt.id))
    return {row.question_id: row for row in rows}


def stored_values(attempt: Attempt) -> dict[str, Any]:
    return {question_id: row.value for question_id, row in answers_of(attempt).items()}


def validate_value(question: Question, value: Any) -> Any:
    """A value sent as JSON, checked and normalised by its type (None: unanswered)."""
    return None if value is None else question_type(question.type).validate(question, value)


def parse_value(question: Question, form: MultiDict[str, str]) -> Any:
    """A value posted by the page's form fields (None: unanswered)."""
    return question_type(question.type).parse(question, form, field_name(question))


def digest(value: Any) -> str:
    """A short fingerprint of a value: the page sends back what it showed, so a save from
    one tab writes only the answers changed there and never reverts another tab's."""
    if value is None:
        return "-"
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()[:12]


def shown_digests(sitting: Sitting, values: Mapping[str, Any]) -> str:
    return json.dumps({q.id: digest(values.get(q.id)) for q in sitting.questions},
                      separators=(",", ":"))


def posted_changes(sitting: Sitting, form: MultiDict[str, str]) -> dict[str, Any]:
    """The answers the page changed: every question is parsed (a refused value raises
    :class:`InvalidAnswers` for all of them at once), and those whose value is what the
    page showed (its ``shown`` field) are left alone."""
    try:
        shown = json.loads(form.get("shown", "{}"))
    except ValueError:
        shown = {}
    if not isinstance(shown, dict):
        shown = {}
    values, errors = {}, {}
    for question in sitting.questions:
        try:
            values[question.id] = parse_value(question, form)
        except AnswerError as error:
            errors[question.id] = error.code
    if errors:
        raise InvalidAnswers(errors)
    return {qid: value for qid, value in values.items() if digest(value) != shown.get(qid)}


def _lock_open(attempt: Attempt, now: datetime) -> None:
    """Hold the attempt row for this transaction and check it still takes answers."""
    db.session.execute(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())
    db.session.refresh(attempt)
    if attempt.status != AttemptStatus.OPEN:
        raise AttemptClosed(SUBMITTED)
    if is_expired(attempt, now):
        raise AttemptClosed(TIME_UP)


def save_answers(sitting: Sitting, values: Mapping[str, Any], now: datetime) -> dict[str, Answer]:
    """Store already validated values (None clears an answer); returns the rows written."""
    _lock_open(sitting.attempt, now)
    return _write(sitting.attempt, values, now)


def _write(attempt: Attempt, values: Mapping[str, Any], now: datetime) -> dict[str, Answer]:
    existing = answers_of(attempt)
    written = {}
    for question_id, value in values.items():
        row = existing.get(question_id)
        if value is None:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = Answer(attempt_id=attempt.id, question_id=question_id, value=value,
                         revision=1, updated_at=now)
            db.session.add(row)
        elif row.value != value:
            row.value = value
            row.revision += 1
            row.updated_at = now
        written[question_id] = row
    db.session.flush()
    return written


def unanswered_required(sitting: Sitting, values: Mapping[str, Any]) -> list[Question]:
    return [q for q in sitting.questions
            if banks.is_required(sitting.bank, q) and values.get(q.id) is None]


# --- submitting ---------------------------------------------------------------------------


def submit(sitting: Sitting, changes: Mapping[str, Any], now: datetime, language: str) -> bool:
    """Submit with the page's last ``changes``; False when another request submitted first
    (nothing is written then, and its result stands)."""
    if not _take_lock(sitting, now):
        return False
    _write(sitting.attempt, changes, now)
    _finish(sitting, now, language)
    return True


def finish(sitting: Sitting, now: datetime, language: str) -> bool:
    """Submit from the answers already saved (time up, window closed)."""
    return submit(sitting, {}, now, language)


def _take_lock(sitting: Sitting, now: datetime) -> bool:
    attempt = sitting.attempt
    submitted_at = None if banks.is_anonymous(sitting.bank) else now
    result = db.session.execute(
        update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == AttemptStatus.OPEN)
        .values(status=AttemptStatus.SUBMITTED, open_key=None, submitted_at=submitted_at)
        .execution_options(synchronize_session=False))
    db.session.refresh(attempt)
    return result.rowcount == 1  # type: ignore[attr-defined]


def _finish(sitting: Sitting, now: datetime, language: str) -> None:
    attempt, bank = sitting.attempt, sitting.bank
    rows = answers_of(attempt)
    values = {question_id: row.value for question_id, row in rows.items()}
    kind = banks.kind_of(bank)
    if banks.is_anonymous(bank):
        _move_to_anonymous(attempt, bank, rows.values(), now, language)
        return
    if kind in banks.SCORED_KINDS:
        result = scoring.knowledge_score(sitting.questions, values)
        for question_id, points in result.points.items():
            if question_id in rows:
                rows[question_id].points = points
        attempt.score, attempt.max_score = result.score, result.max_score
        attempt.percent = result.percent
        attempt.passed = scoring.passed(result.percent, bank.pass_mark) \
            if kind == Kind.QUIZ else None
    elif kind == Kind.LEARNING_STYLE:
        attempt.profile = scoring.learning_style_profile(sitting.questions, values)
    elif kind == Kind.CONFIDENCE:
        attempt.profile = scoring.confidence_profile(sitting.questions, values)
    db.session.flush()


def _move_to_anonymous(attempt: Attempt, bank: QuestionBank, rows: Iterable[Answer],
                       now: datetime, language: str) -> None:
    """Copy the answers into a response that names no one, then drop them from the attempt."""
    rows = list(rows)
    response = AnonymousResponse(
        bank_id=bank.id, cohort_id=attempt.cohort_id, language=language,
        submitted_on=now.date(),
        answers=[AnonymousAnswer(question_id=row.question_id, value=row.value)
                 for row in rows],
    )
    db.session.add(response)
    for row in rows:
        db.session.delete(row)
    db.session.flush()


def finish_expired(catalogue: Catalogue, now: datetime) -> int:
    """Finish every open attempt whose time is up, from its saved answers; returns how many
    this call finished (for a periodic job, so results never wait for the person)."""
    expired = db.session.execute(
        select(Attempt, User.language).join(User, User.id == Attempt.user_id)
        .where(Attempt.status == AttemptStatus.OPEN, Attempt.expires_at.is_not(None),
               Attempt.expires_at <= now)).all()
    finished = 0
    for attempt, language in expired:
        sitting = sitting_of(catalogue, attempt)
        if sitting is not None and finish(sitting, now, language):
            finished += 1
    return finished


# --- what a person has done ---------------------------------------------------------------


def attempts_of(user: User) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)
                                   .order_by(Attempt.number)))


def best_percent(attempts: Iterable[Attempt]) -> float | None:
    """The best score over submitted attempts: retakes never lower it."""
    scores = [a.percent for a in attempts
              if a.status == AttemptStatus.SUBMITTED and a.percent is not None]
    return max(scores) if scores else None


def latest_submitted(user: User, bank_id: str, purpose: Purpose) -> Attempt | None:
    return db.session.scalar(
        select(Attempt).where(Attempt.user_id == user.id, Attempt.bank_id == bank_id,
                              Attempt.purpose == purpose,
                              Attempt.status == AttemptStatus.SUBMITTED)
        .order_by(Attempt.number.desc()).limit(1))


def pre_evaluation_done(user_ids: Collection[int]) -> set[int]:
    """Those of ``user_ids`` who submitted the knowledge test before the modules."""
    tests = [bank.id for bank in get_catalogue().quizzes.values()
             if banks.kind_of(bank) == Kind.KNOWLEDGE_TEST]
    if not tests or not user_ids:
        return set()
    return set(db.session.scalars(
        select(Attempt.user_id).distinct()
        .where(Attempt.user_id.in_(list(user_ids)), Attempt.bank_id.in_(tests),
               Attempt.purpose == Purpose.PRE, Attempt.status == AttemptStatus.SUBMITTED)))


# --- the participant's instruments, in programme order ------------------------------------

PROGRAMME: tuple[tuple[Kind, Purpose], ...] = (
    (Kind.LEARNING_STYLE, Purpose.ONCE),
    (Kind.KNOWLEDGE_TEST, Purpose.PRE),
    (Kind.CONFIDENCE, Purpose.PRE),
    (Kind.QUIZ, Purpose.QUIZ),
    (Kind.KNOWLEDGE_TEST, Purpose.POST),
    (Kind.CONFIDENCE, Purpose.POST),
    (Kind.RATING, Purpose.ONCE),
    (Kind.EVALUATION, Purpose.ONCE),
    (Kind.SURVEY, Purpose.ONCE),
)


@dataclass(frozen=True)
class Entry:
    """One instrument on the participant's list, with where they stand."""

    bank: QuestionBank
    purpose: Purpose
    gate: gating.Gate
    open_attempt: Attempt | None
    last: Attempt | None  # the latest submitted attempt
    best: float | None  # quizzes: the best score over all attempts
    closing: bool  # the open attempt's time is up or its window closed: to be finished

    @property
    def state(self) -> str:
        if self.open_attempt is not None:
            return "closing" if self.closing else "in_progress"
        if self.last is not None:
            return "done"
        return "open" if self.gate.open else "closed"


def instruments(catalogue: Catalogue) -> list[tuple[QuestionBank, Purpose]]:
    """Every bank with each purpose it is taken for, in the order of the programme; banks
    of one kind follow their units' order."""
    def unit_order(bank: QuestionBank) -> tuple[int, str]:
        unit = catalogue.unit(bank.unit_id) if bank.unit_id else None
        return (unit.order if unit else 0, bank.id)

    ordered = sorted(catalogue.quizzes.values(), key=unit_order)
    return [(bank, purpose) for kind, purpose in PROGRAMME
            for bank in ordered if banks.kind_of(bank) == kind]


def overview(user: User, catalogue: Catalogue, situation: gating.Situation,
             now: datetime) -> list[Entry]:
    attempts = attempts_of(user)
    entries = []
    for bank, purpose in instruments(catalogue):
        mine = [a for a in attempts if a.bank_id == bank.id and a.purpose == purpose]
        submitted = [a for a in mine if a.status == AttemptStatus.SUBMITTED]
        in_progress = next((a for a in mine if a.status == AttemptStatus.OPEN), None)
        gate = gating.gate(catalogue, situation, bank, purpose)
        entries.append(Entry(
            bank=bank, purpose=purpose, gate=gate, open_attempt=in_progress,
            last=submitted[-1] if submitted else None,
            best=best_percent(submitted) if purpose == Purpose.QUIZ else None,
            closing=in_progress is not None and closing_reason(
                catalogue, situation, bank, in_progress, now) is not None,
        ))
    return entries
