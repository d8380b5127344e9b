"""The language switch: a plain form on every page, so it works without JavaScript."""

from __future__ import annotations

from flask import make_response, redirect, request
from flask_login import current_user
from werkzeug.wrappers import Response

from learning.access import public
from learning.core.urls import safe_next
from learning.db import db
from learning.i18n import LANGUAGE_COOKIE, SUPPORTED, bp


@bp.post("/language")
@public
def switch_language() -> Response:
    language = request.form.get("language", "")
    target = safe_next(request.form.get("next"))
    if language not in SUPPORTED:
        return redirect(target)
    if current_user.is_authenticated and current_user.language != language:
        current_user.language = language
        db.session.commit()
    response = make_response(redirect(target))
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    return response
