"""Locale selection, the language switch and the ``flask i18n`` commands."""

from __future__ import annotations

from flask import Blueprint, Flask, request
from flask_login import current_user

bp = Blueprint("i18n", __name__)

LANGUAGE_COOKIE = "tandem_lang"
SUPPORTED = ("en", "fr")


def select_locale() -> str:
    """The user's preference, else the switch's cookie, else Accept-Language, else English."""
    if current_user and current_user.is_authenticated and current_user.language in SUPPORTED:
        return str(current_user.language)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in SUPPORTED:
        return str(cookie)
    return request.accept_languages.best_match(SUPPORTED) or "en"


def init_app(app: Flask) -> None:
    from learning.i18n import cli, formatting, views  # noqa: F401  (routes and filters)

    app.register_blueprint(bp)
    formatting.register(app)
    app.cli.add_command(cli.i18n_cli)
