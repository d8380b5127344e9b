"""Tandem: the application factory.

``create_app`` wires configuration, extensions, blueprints and commands. It does no I/O
beyond reading configuration: migrations and content loading are explicit commands.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask, has_request_context, request
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.routing import IntegerConverter, Map

from learning import access
from learning.config import PROJECT_ROOT, Config
from learning.db import db as database
from learning.db import write_intent
from learning.extensions import babel, csrf

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_RECORD_ID = 2**31 - 1


class RecordIdConverter(IntegerConverter):
    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None,  # noqa: A002
                 max: int | None = None, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min,
                         max=MAX_RECORD_ID if max is None else max, signed=signed)


def create_app(config: Config | None = None) -> Flask:
    app = Flask(
        __name__,
        static_folder=str(PROJECT_ROOT / "static"),
        static_url_path="/static",
        template_folder="templates",
    )
    # Record ids are 32-bit integers on both databases: a larger number in a URL is a
    # page that cannot exist (404), not a database overflow (500).
    app.url_map.converters["int"] = RecordIdConverter
    app.config.from_mapping((config or Config()).as_dict())
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 7 * 24 * 3600
    app.jinja_env.add_extension("jinja2.ext.do")

    database.init_app(app)
    csrf.init_app(app)
    from learning.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)

    from learning.accounts import sessions

    sessions.init_app(app)

    @app.before_request
    def _declare_write_intent() -> None:
        # GET pages never write; letting them read without the SQLite write lock keeps
        # concurrent readers fast. Everything else takes the lock up front.
        write_intent.set(request.method not in READ_ONLY_METHODS)

    from learning.courses import catalogue

    catalogue.init_app(app)
    access.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)

    from learning.core import errors, security

    errors.init_app(app)
    security.init_app(app)

    from learning.cli import register_commands

    register_commands(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from learning import i18n
    from learning.accounts import bp as accounts_bp
    from learning.accounts import people_views, two_factor_views, views  # noqa: F401
    from learning.assessments import bp as assessments_bp
    from learning.assessments import init_app as init_assessments
    from learning.assessments import results_views  # noqa: F401
    from learning.assessments import views as assessment_views  # noqa: F401
    from learning.audit import bp as audit_bp
    from learning.audit import views as audit_views  # noqa: F401
    from learning.cohorts import application_views  # noqa: F401
    from learning.cohorts import bp as cohorts_bp
    from learning.cohorts import views as cohort_views  # noqa: F401
    from learning.core import bp as core_bp
    from learning.core import views as core_views  # noqa: F401
    from learning.courses import bp as courses_bp
    from learning.courses import progress_views  # noqa: F401  (routes)
    from learning.courses import views as course_views  # noqa: F401
    from learning.notifications import bp as notifications_bp
    from learning.notifications import views as notification_views  # noqa: F401
    from learning.plans import bp as plans_bp
    from learning.plans import country_views  # noqa: F401
    from learning.plans import views as plan_views  # noqa: F401
    from learning.privacy import bp as privacy_bp
    from learning.privacy import views as privacy_views  # noqa: F401
    from learning.rollout import bp as rollout_bp
    from learning.rollout import views as rollout_views  # noqa: F401

    for blueprint in (core_bp, accounts_bp, cohorts_bp, courses_bp, plans_bp, assessments_bp,
                      rollout_bp, notifications_bp, audit_bp, privacy_bp):
        app.register_blueprint(blueprint)
    i18n.init_app(app)
    init_assessments(app)

    from learning import analytics, api, certificates

    for domain in (certificates, analytics, api):
        domain.init_app(app)


def _register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _globals() -> dict[str, Any]:
        from learning.notifications.services import unread_count

        # E-mails are also rendered outside requests (CLI), where nobody is signed in.
        signed_in = has_request_context() and current_user.is_authenticated
        unread = unread_count(current_user) if signed_in else 0
        return {
            "locale": str(get_locale()),
            "unread_notifications": unread,
            "new_key": lambda: secrets.token_urlsafe(16),
            # Where the language switch returns to; checked again when it is used.
            "here": request.full_path.rstrip("?") if has_request_context() else "/",
        }
