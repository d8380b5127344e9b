"""The participant's pages: their instruments, taking one, saving answers, submitting, results.

The take page is one form holding every question: the autosave script posts it as it
changes (JSON), and without JavaScript its "Save answers" button posts it the same way;
its "Submit" button sends the same fields to the submit endpoint, so the last answers
travel with the submission instead of racing it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import signed_in
from learning.assessments import banks, bp, gating, services
from learning.assessments.banks import Kind
from learning.assessments.gating import Reason
from learning.assessments.models import Attempt, AttemptStatus, Purpose
from learning.assessments.types import AnswerError, answer_key_feedback, question_type
from learning.content.schema import Question, QuestionBank
from learning.core.errors import render_error
from learning.core.writes import InvalidWrite, run_once
from learning.courses.catalogue import get_catalogue
from learning.db import db, utcnow

ViewResult = Response | str | tuple[Response | str, int]


def _language() -> str:
    return "fr" if str(get_locale()) == "fr" else "en"


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def reason_text(reason: Reason, bank: QuestionBank) -> str:
    catalogue = get_catalogue()
    unit = catalogue.unit(bank.unit_id) if bank.unit_id else None
    texts = {
        Reason.NOT_ENROLLED: lambda: _("Opens when you are enrolled in a training."),
        Reason.NO_UNIT: lambda: _("Not available in this course."),
        Reason.MODULE_1_STARTED: lambda: _("Closed: it is taken before starting module 1."),
        Reason.MODULE_4_NOT_DONE: lambda: _("Opens when you have finished module 4."),
        Reason.UNIT_NOT_DONE: lambda: _("Opens when you have finished “%(unit)s”.",
                                        unit=unit.title.get(_language()) if unit else ""),
        Reason.ALREADY_DONE: lambda: _("You have already taken it."),
    }
    return texts[reason]()


def answer_error_text(code: str, question: Question) -> str:
    texts = {
        "invalid_value": lambda: _("This answer is not in a form the question accepts."),
        "unknown_option": lambda: _("Choose among the options shown."),
        "duplicate_option": lambda: _("Each option can be chosen only once."),
        "out_of_range": lambda: _("This value is outside the question's scale."),
        "unknown_statement": lambda: _("This statement is not part of the question."),
        "duplicate_rank": lambda: _("Give each option a different rank."),
        "incomplete_ranking": lambda: _("Give every rank from 1 to %(n)d, each to one option.",
                                        n=question.raw.get("rank") or len(question.options)),
        "too_long": lambda: _("This answer is too long."),
        "nul_character": lambda: _("The text contains a character that cannot be saved."),
    }
    return texts.get(code, lambda: _("This answer could not be saved."))()


def purpose_label(purpose: Purpose) -> str:
    if purpose == Purpose.PRE:
        return _("before the modules")
    if purpose == Purpose.POST:
        return _("after the modules")
    return ""


def _bank_or_404(bank_id: str, purpose_value: str) -> tuple[QuestionBank, Purpose]:
    bank = get_catalogue().quiz(bank_id)
    try:
        purpose = Purpose(purpose_value)
    except ValueError:
        abort(404)
    if bank is None or purpose not in banks.purposes_for(bank):
        abort(404)
    return bank, purpose


def _sitting_or_404(attempt_id: int) -> services.Sitting:
    attempt = services.own_attempt(current_user, attempt_id)
    sitting = services.sitting_of(get_catalogue(), attempt) if attempt is not None else None
    if sitting is None:
        abort(404)
    return sitting


def _gate(bank: QuestionBank, purpose: Purpose) -> gating.Gate:
    catalogue = get_catalogue()
    return gating.gate(catalogue, gating.situation_of(current_user, catalogue), bank, purpose)


def _closing(sitting: services.Sitting) -> str | None:
    catalogue = get_catalogue()
    return services.closing_reason(catalogue, gating.situation_of(current_user, catalogue),
                                   sitting.bank, sitting.attempt, utcnow())


def _closed_text(reason: str) -> str:
    if reason == services.TIME_UP:
        return _("The time for this attempt is up: it was submitted with the answers saved "
                 "before the end.")
    if reason == services.WINDOW_CLOSED:
        return _("This questionnaire has closed: it was submitted with the answers you had "
                 "saved.")
    return _("These answers were already submitted.")


def _refuse_closed(sitting: services.Sitting, reason: str) -> ViewResult:
    """409: the attempt takes no more answers; one left open is finished from its saved
    answers first, so it is never scored as empty."""
    if sitting.attempt.status == AttemptStatus.OPEN:
        services.finish(sitting, utcnow(), _language())
        db.session.commit()
    message = _closed_text(reason)
    if _wants_json():
        return jsonify(ok=False, error=message, closed=True,
                       result=url_for("assessments.result", attempt_id=sitting.attempt.id)), 409
    return render_template("assessments/closed.html", attempt=sitting.attempt,
                           message=message), 409


def _refuse_invalid(message: str, errors: Mapping[str, str] | None = None) -> ViewResult:
    if _wants_json():
        return jsonify(ok=False, error=message, errors=dict(errors or {})), 400
    return render_error(400, message)


# --- pages --------------------------------------------------------------------------------


@bp.get("/assessments")
@signed_in
def index() -> str:
    catalogue = get_catalogue()
    situation = gating.situation_of(current_user, catalogue)
    entries = services.overview(current_user, catalogue, situation, utcnow())
    return render_template("assessments/index.html", entries=entries, language=_language(),
                           reason_text=reason_text, purpose_label=purpose_label, Kind=Kind,
                           kind_of=banks.kind_of, is_anonymous=banks.is_anonymous)


@bp.get("/assessments/<bank_id>/<purpose>")
@signed_in
def take(bank_id: str, purpose: str) -> ViewResult:
    bank, purpose_ = _bank_or_404(bank_id, purpose)
    attempt = services.open_attempt(current_user, bank, purpose_)
    if attempt is None:
        gate = _gate(bank, purpose_)
        last = services.latest_submitted(current_user, bank.id, purpose_)
        return render_template("assessments/start.html", bank=bank, purpose=purpose_,
                               gate=gate, last=last, language=_language(),
                               questions=banks.questions_for(bank, banks.form_for(bank, purpose_)),
                               time_limit=banks.time_limit(bank),
                               description=banks.description_of(bank),
                               reason_text=reason_text, purpose_label=purpose_label)
    sitting = services.sitting_of(get_catalogue(), attempt)
    if sitting is None:
        abort(404)
    closing = _closing(sitting)
    if closing is not None:
        return render_template("assessments/closing.html", sitting=sitting, closing=closing,
                               time_up=services.TIME_UP, language=_language(),
                               purpose_label=purpose_label)
    return _render_questions(sitting, services.stored_values(attempt))


def _render_questions(sitting: services.Sitting, values: Mapping[str, Any],
                      errors: Mapping[str, str] | None = None, status: int = 200) -> ViewResult:
    stored = services.stored_values(sitting.attempt)
    page = render_template(
        "assessments/take.html", sitting=sitting, values=values,
        shown=services.shown_digests(sitting, stored), errors=errors or {},
        key=uuid.uuid4().hex, language=_language(), field_name=services.field_name,
        question_type=question_type, is_required=banks.is_required,
        purpose_label=purpose_label, anonymous=banks.is_anonymous(sitting.bank),
    )
    return page, status


@bp.post("/assessments/<bank_id>/<purpose>")
@signed_in
def start(bank_id: str, purpose: str) -> Response:
    """Start (or, from a second tab, join) the attempt, then show it."""
    bank, purpose_ = _bank_or_404(bank_id, purpose)
    if services.open_attempt(current_user, bank, purpose_) is None:
        gate = _gate(bank, purpose_)
        if not gate.open:
            flash(reason_text(gate.reason, bank), "error")  # type: ignore[arg-type]
            return redirect(url_for("assessments.take", bank_id=bank.id, purpose=purpose_.value))
        services.start_attempt(current_user, bank, purpose_, utcnow())
        db.session.commit()
    return redirect(url_for("assessments.take", bank_id=bank.id, purpose=purpose_.value))


# --- saving -------------------------------------------------------------------------------


def _answer_result(sitting: services.Sitting, question: Question, value: Any) -> dict[str, Any]:
    written = services.save_answers(sitting, {question.id: value}, utcnow())
    row = written.get(question.id)
    return {"ok": True, "question": question.id, "revision": row.revision if row else 0,
            "saved_at": row.updated_at.isoformat() if row else None}


@bp.post("/assessments/attempts/<int:attempt_id>/answers/<question_id>")
@signed_in
def save_answer(attempt_id: int, question_id: str) -> ViewResult:
    """One answer: JSON ``{"value": …, "key": …}`` or the question's form fields."""
    sitting = _sitting_or_404(attempt_id)
    question = sitting.question(question_id)
    if question is None:
        abort(404)
    closing = services.SUBMITTED if sitting.attempt.status != AttemptStatus.OPEN \
        else _closing(sitting)
    if closing is not None:
        return _refuse_closed(sitting, closing)
    try:
        if request.is_json:
            payload = request.get_json(silent=True)
            if not isinstance(payload, dict):
                raise AnswerError("invalid_value")
            value, key = services.validate_value(question, payload.get("value")), payload.get("key")
        else:
            value, key = services.parse_value(question, request.form), request.form.get("key")
        result = run_once(current_user, str(key or ""), "answer",
                          lambda: _answer_result(sitting, question, value))
    except AnswerError as error:
        message = answer_error_text(error.code, question)
        return _refuse_invalid(message, {question.id: message})
    except InvalidWrite:
        return _refuse_invalid(_("This save could not be identified. Reload the page and try "
                                 "again."))
    except services.AttemptClosed as closed:
        db.session.rollback()
        return _refuse_closed(sitting, closed.reason)
    if _wants_json():
        return jsonify(result)
    flash(_("Your answer is saved."), "success")
    return redirect(url_for("assessments.take", bank_id=sitting.bank.id,
                            purpose=sitting.attempt.purpose.value,
                            _anchor=services.field_name(question)))


def _invalid_page(sitting: services.Sitting, error: services.InvalidAnswers) -> ViewResult:
    errors = {qid: answer_error_text(code, sitting.question(qid))  # type: ignore[arg-type]
              for qid, code in error.errors.items()}
    if _wants_json():
        # The autosave status line shows one sentence: the first question to correct.
        number, first = next((n, q) for n, q in enumerate(sitting.questions, start=1)
                             if q.id in errors)
        message = _("Not saved: question %(n)d — %(problem)s", n=number,
                    problem=errors[first.id])
        return jsonify(ok=False, error=message, errors=errors), 400
    values = {**services.stored_values(sitting.attempt),
              **_valid_posted(sitting, set(error.errors))}
    return _render_questions(sitting, values, errors, status=400)


def _valid_posted(sitting: services.Sitting, refused: set[str]) -> dict[str, Any]:
    """What the person entered on the page, for showing it again (refused fields excepted)."""
    return {q.id: services.parse_value(q, request.form) for q in sitting.questions
            if q.id not in refused}


@bp.post("/assessments/attempts/<int:attempt_id>/answers")
@signed_in
def save_answers(attempt_id: int) -> ViewResult:
    """Every answer of the page at once (the autosave script, or "Save answers")."""
    sitting = _sitting_or_404(attempt_id)
    closing = services.SUBMITTED if sitting.attempt.status != AttemptStatus.OPEN \
        else _closing(sitting)
    if closing is not None:
        return _refuse_closed(sitting, closing)
    try:
        changes = services.posted_changes(sitting, request.form)
        result = run_once(current_user, request.form.get("key", ""), "answers",
                          lambda: _answers_result(sitting, changes))
    except services.InvalidAnswers as error:
        return _invalid_page(sitting, error)
    except InvalidWrite:
        return _refuse_invalid(_("This save could not be identified. Reload the page and try "
                                 "again."))
    except services.AttemptClosed as closed:
        db.session.rollback()
        return _refuse_closed(sitting, closed.reason)
    if _wants_json():
        return jsonify(result)
    flash(_("Your answers are saved. You can come back and finish later."), "success")
    return redirect(url_for("assessments.take", bank_id=sitting.bank.id,
                            purpose=sitting.attempt.purpose.value))


def _answers_result(sitting: services.Sitting, changes: Mapping[str, Any]) -> dict[str, Any]:
    written = services.save_answers(sitting, changes, utcnow())
    return {"ok": True, "saved": sorted(changes), "saved_at": utcnow().isoformat(),
            "revision": max((row.revision for row in written.values()), default=0)}


# --- submitting and results ---------------------------------------------------------------


@bp.post("/assessments/attempts/<int:attempt_id>/submit")
@signed_in
def submit(attempt_id: int) -> ViewResult:
    sitting = _sitting_or_404(attempt_id)
    attempt = sitting.attempt
    result_url = url_for("assessments.result", attempt_id=attempt.id)
    if attempt.status != AttemptStatus.OPEN:
        return redirect(result_url)  # the other tab or the first click submitted it
    closing = _closing(sitting)
    if closing is not None:
        services.finish(sitting, utcnow(), _language())
        db.session.commit()
        flash(_closed_text(closing), "info")
        return redirect(result_url)
    try:
        changes = services.posted_changes(sitting, request.form) if "shown" in request.form \
            else {}
    except services.InvalidAnswers as error:
        return _invalid_page(sitting, error)
    values = {**services.stored_values(attempt), **changes}
    missing = services.unanswered_required(sitting, values)
    if missing:
        try:
            services.save_answers(sitting, changes, utcnow())
        except services.AttemptClosed:
            db.session.rollback()
            return redirect(result_url)
        db.session.commit()
        errors = {q.id: _("Please answer this question.") for q in missing}
        return _render_questions(sitting, services.stored_values(attempt), errors)
    services.submit(sitting, changes, utcnow(), _language())
    db.session.commit()
    return redirect(result_url)


@bp.get("/assessments/attempts/<int:attempt_id>")
@signed_in
def result(attempt_id: int) -> ViewResult:
    sitting = _sitting_or_404(attempt_id)
    attempt, bank = sitting.attempt, sitting.bank
    if attempt.status == AttemptStatus.OPEN:
        return redirect(url_for("assessments.take", bank_id=bank.id,
                                purpose=attempt.purpose.value))
    context: dict[str, Any] = {"sitting": sitting, "attempt": attempt, "bank": bank,
                               "language": _language(), "purpose_label": purpose_label,
                               "is_anonymous": banks.is_anonymous(bank)}
    if banks.is_anonymous(bank):
        return render_template("assessments/result_thanks.html", **context)
    kind = banks.kind_of(bank)
    if kind == Kind.QUIZ:
        return render_template("assessments/result_quiz.html", **context,
                               **_quiz_context(sitting))
    if kind == Kind.KNOWLEDGE_TEST:
        return render_template("assessments/result_test.html", **context,
                               before=_before(attempt))
    if kind == Kind.LEARNING_STYLE:
        return render_template("assessments/result_style.html", **context,
                               preferences=_style_rows(sitting))
    if kind == Kind.CONFIDENCE:
        before = _before(attempt)
        return render_template("assessments/result_confidence.html", **context,
                               areas=banks.areas_of(bank),
                               before=(before.profile or {}) if before else None)
    return render_template("assessments/result_thanks.html", **context)


def _before(attempt: Attempt) -> Attempt | None:
    """For an attempt taken after the modules, the one taken before (for the comparison)."""
    if attempt.purpose != Purpose.POST:
        return None
    return services.latest_submitted(current_user, attempt.bank_id, Purpose.PRE)


def _quiz_context(sitting: services.Sitting) -> dict[str, Any]:
    attempts = [a for a in services.attempts_of(current_user)
                if a.bank_id == sitting.bank.id and a.purpose == Purpose.QUIZ]
    return {
        "values": services.stored_values(sitting.attempt),
        "feedback": {q.id: answer_key_feedback(q) for q in sitting.questions},
        "best": services.best_percent(attempts),
        "attempt_count": sum(1 for a in attempts if a.status == AttemptStatus.SUBMITTED),
        "field_name": services.field_name,
        "question_type": question_type,
    }


def _style_rows(sitting: services.Sitting) -> list[dict[str, Any]]:
    """Each preference with its points, the most it could have, and whether it is (one of)
    the strongest."""
    profile = sitting.attempt.profile or {}
    items: dict[str, int] = {}
    for question in sitting.questions:
        preference = question.raw.get("preference")
        if isinstance(preference, str):
            items[preference] = items.get(preference, 0) + 1
    top = max(profile.values(), default=0)
    most = max(banks.LIKERT_POINTS.values())
    return [{"preference": preference, "points": profile.get(preference.id, 0),
             "max": items.get(preference.id, 0) * most,
             "strongest": top > 0 and profile.get(preference.id, 0) == top}
            for preference in banks.preferences_of(sitting.bank)]
