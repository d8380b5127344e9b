"""Locale selection, the language switch and the ``flask i18n`` commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, request
from flask_babel import get_translations
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


def template_gettext() -> dict[str, Callable[..., str]]:
    """``_``, ``gettext`` and ``ngettext`` bound to this render's catalog.

    Flask-Babel's own template functions look the catalog up through several request-local
    proxies on every call; a page makes about a hundred calls, which was a large share of
    its rendering time. The result is plain text, escaped by Jinja like any other value.
    """
    translations = get_translations()

    def gettext(message: str, **variables: Any) -> str:
        text = translations.ugettext(message)
        return text % variables if variables else text

    def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
        variables.setdefault("num", num)
        return translations.ungettext(singular, plural, num) % variables

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def init_app(app: Flask) -> None:
    from learning.i18n import cli, formatting, views  # noqa: F401  (routes and filters)

    app.register_blueprint(bp)
    formatting.register(app)
    app.context_processor(template_gettext)
    app.cli.add_command(cli.i18n_cli)
