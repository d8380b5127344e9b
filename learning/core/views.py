"""Home page and health check."""

from __future__ import annotations

from datetime import date

from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from learning.access import public
from learning.accounts.models import Role
from learning.cohorts import services as cohorts
from learning.core import bp
from learning.db import db


@bp.get("/")
@public
def home() -> str:
    if not current_user.is_authenticated:
        return render_template("core/welcome.html")
    visible = cohorts.visible_cohorts(current_user)
    return render_template(
        "core/home.html",
        cohorts=visible,
        today=date.today(),
        is_participant=current_user.role == Role.PARTICIPANT,
    )


@bp.get("/healthz")
@public
def healthz() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
