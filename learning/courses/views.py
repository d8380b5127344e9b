"""Reader pages and the small write endpoints the autosave script (or a plain form) uses."""

from __future__ import annotations

import mimetypes
from datetime import date
from pathlib import Path

from flask import (
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import signed_in
from learning.content.schema import Section, Unit
from learning.core.urls import safe_next
from learning.core.writes import InvalidWrite, run_once
from learning.courses import bp, services
from learning.courses.catalogue import get_catalogue

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def _unit_or_404(unit_id: str) -> Unit:
    unit = get_catalogue().unit(unit_id)
    if unit is None:
        abort(404)
    return unit


def _section_or_404(section_id: str) -> Section:
    section = get_catalogue().section(section_id)
    if section is None or (section.facilitator_only
                           and not services.sees_facilitator_notes(current_user)):
        abort(404)
    return section


def _invalid(error: InvalidWrite) -> tuple[Response, int] | Response:
    messages = {
        "key": _("This save could not be identified. Reload the page and try again."),
        "event": _("Unknown action."),
        "nul": _("The text contains a character that cannot be saved."),
        "too_long": _("The text is too long (at most %(n)d characters).",
                      n=services.MAX_REFLECTION_CHARS),
        "revision": _("Reload the page and try again."),
    }
    message = messages.get(str(error), _("Reload the page and try again."))
    if _wants_json():
        return jsonify(ok=False, error=message), 400
    flash(message, "error")
    return redirect(safe_next(request.form.get("next"), "courses.my_learning"))


@bp.get("/learn")
@signed_in
def my_learning() -> str:
    catalogue = get_catalogue()
    summaries = services.unit_progress(catalogue, current_user)
    deadline = services.next_deadline(current_user, date.today())
    resume = services.resume_target(catalogue, current_user)
    return render_template("courses/my_learning.html", summaries=summaries, deadline=deadline,
                           resume=resume, language=str(get_locale()))


@bp.get("/learn/resume")
@signed_in
def resume() -> Response:
    section = services.resume_target(get_catalogue(), current_user)
    if section is None:
        return redirect(url_for("courses.my_learning"))
    return redirect(url_for("courses.section", section_id=section.id))


@bp.get("/learn/units/<unit_id>")
@signed_in
def unit(unit_id: str) -> str:
    catalogue = get_catalogue()
    current = _unit_or_404(unit_id)
    summary = next(s for s in services.unit_progress(catalogue, current_user)
                   if s.unit.id == current.id)
    prerequisites = [catalogue.unit(uid) for uid in current.prerequisites]
    return render_template("courses/unit.html", unit=current, summary=summary,
                           prerequisites=[u for u in prerequisites if u is not None],
                           language=str(get_locale()))


@bp.get("/learn/units/<unit_id>/print")
@signed_in
def print_unit(unit_id: str) -> str:
    catalogue = get_catalogue()
    current = _unit_or_404(unit_id)
    return render_template("courses/print.html", unit=current,
                           sections=services.visible_sections(catalogue, current, current_user),
                           language=str(get_locale()))


@bp.get("/learn/sections/<section_id>")
@signed_in
def section(section_id: str) -> str:
    catalogue = get_catalogue()
    user = current_user._get_current_object()
    current = _section_or_404(section_id)
    unit_ = catalogue.unit_of(current)
    include_notes = services.sees_facilitator_notes(user)
    progress = services.progress_by_section(user, unit_id=unit_.id)
    answers = services.reflection_answers(user, [r.id for r in current.reflections])
    summary = services.progress_in_unit(unit_, user, progress)
    following = catalogue.next_section(current.id, include_facilitator_notes=include_notes)
    return render_template(
        "courses/section.html",
        section=current,
        unit=unit_,
        summary=summary,
        row=progress.get(current.id),
        answers=answers,
        previous=catalogue.previous_section(current.id, include_facilitator_notes=include_notes),
        following=following,
        is_last=following is None,
        language=str(get_locale()),
    )


@bp.post("/learn/sections/<section_id>/progress")
@signed_in
def record_progress(section_id: str) -> Response | tuple[Response, int]:
    current = _section_or_404(section_id)
    event = request.form.get("event", "")
    key = request.form.get("key", "")
    try:
        result = run_once(current_user, key, "progress",
                                   lambda: services.record_event(current_user, current, event))
    except InvalidWrite as error:
        return _invalid(error)
    if _wants_json():
        return jsonify(result)
    if result["completed"] and event == "completed":
        flash(_("Section marked as done."), "success")
        following = get_catalogue().next_section(
            current.id, include_facilitator_notes=services.sees_facilitator_notes(current_user))
        if following is not None:
            return redirect(url_for("courses.section", section_id=following.id))
        return redirect(url_for("courses.unit", unit_id=current.unit_id, _anchor="recap"))
    return redirect(url_for("courses.section", section_id=current.id))


@bp.get("/learn/reflections/<reflection_id>")
@signed_in
def reflection(reflection_id: str) -> Response:
    found = services.find_reflection(get_catalogue(), reflection_id)
    if found is None:
        abort(404)
    answer = services.reflection_answers(current_user, [reflection_id]).get(reflection_id)
    return jsonify(reflection=reflection_id, text=answer.text if answer else "",
                   revision=answer.revision if answer else 0)


@bp.post("/learn/reflections/<reflection_id>")
@signed_in
def save_reflection(reflection_id: str) -> Response | tuple[Response, int]:
    found = services.find_reflection(get_catalogue(), reflection_id)
    if found is None:
        abort(404)
    section_, reflection_ = found
    if section_.facilitator_only and not services.sees_facilitator_notes(current_user):
        abort(404)
    base = request.form.get("base_revision", "")
    try:
        base_revision = int(base) if base else None
    except ValueError:
        return _invalid(InvalidWrite("revision"))
    try:
        result = run_once(
            current_user, request.form.get("key", ""), "reflection",
            lambda: services.save_reflection(current_user, section_, reflection_,
                                             request.form.get("text", ""), base_revision))
    except InvalidWrite as error:
        return _invalid(error)
    if _wants_json():
        return jsonify(result)
    flash(_("Your reflection is saved."), "success")
    return redirect(url_for("courses.section", section_id=section_.id,
                            _anchor=f"reflection-{reflection_.id}"))


@bp.get("/content/<unit_id>/<path:filename>")
@signed_in
def content_image(unit_id: str, filename: str) -> Response:
    """Images of a unit, and nothing else from its folder (sections stay private)."""
    unit_ = _unit_or_404(unit_id)
    kind, _encoding = mimetypes.guess_type(filename)
    if kind not in IMAGE_TYPES or ".." in Path(filename).parts:
        abort(404)
    return send_from_directory(unit_.folder, filename, max_age=7 * 24 * 3600)
