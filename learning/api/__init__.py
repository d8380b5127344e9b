"""The JSON API v1 (personal access tokens, OpenAPI 3.1) and the xAPI statement intake."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from learning.api import token_views, views, xapi  # noqa: F401  (routes)

    app.register_blueprint(bp)
    # Token management is an HTML page of the profile (/account/…), outside /api/v1.
    app.register_blueprint(token_views.profile_bp)
