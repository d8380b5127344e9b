"""Error pages in the reader's language; JSON for API and fetch() callers."""

from __future__ import annotations

from flask import Flask, jsonify, make_response, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from learning.access import is_api_request, wants_json
from learning.db import db


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Please try again.")),
        401: (_("Sign-in required"), _("Please sign in to continue.")),
        403: (_("Not allowed"), _("You do not have access to this page.")),
        404: (_("Page not found"), _("This page does not exist or is not available to you.")),
        405: (_("Not allowed"), _("This action is not available here.")),
        413: (_("Too large"), _("The file or text you sent is too large.")),
        429: (_("Too many attempts"), _("Please wait a few minutes and try again.")),
        500: (_("Something went wrong"), _("We could not complete this. Nothing was saved.")),
        503: (_("Temporarily unavailable"), _("The service is busy. Please try again shortly.")),
    }


def render_error(status: int, detail: str | None = None):
    if is_api_request():
        from learning.api.problems import status_problem

        return status_problem(status, detail)
    title, message = _messages().get(status, (_("Error"), _("Something went wrong.")))
    if wants_json():
        response = jsonify(error=detail or message, status=status)
        response.status_code = status
        return response
    return render_template("errors/error.html", status=status, title=title,
                           message=detail or message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        return render_error(
            400, _("Your form expired or was sent from elsewhere. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if isinstance(error, InternalServerError):
            return _internal(error)
        # abort(400, _("…")) carries its own (translated) explanation; Werkzeug's default
        # English descriptions are replaced by ours.
        custom = error.description if error.description != type(error).description else None
        return render_error(error.code or 500, custom)

    @app.errorhandler(OperationalError)
    def _database_unavailable(error: OperationalError):
        # The database is down, restarting or (SQLite) still locked after the busy
        # timeout: nothing was written, and the autosave queue keeps the item and retries.
        db.session.rollback()
        app.logger.warning("Database unavailable: %s", error.orig)
        response = make_response(render_error(503))
        response.headers["Retry-After"] = "5"
        return response

    def _internal(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error", exc_info=error)
        return render_error(500)

    # Tests see real tracebacks unless they ask for the error page itself.
    if not app.testing or app.config.get("SHOW_ERROR_PAGES"):
        app.register_error_handler(Exception, _internal)
