"""Certificates: rules per cohort, issuing, the PDF, public verification, Open Badges 3.0.

``bp`` holds every certificate page; :func:`init_app` loads the route modules and connects
the completing events (a training report approved, …) to the issuing rules.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("certificates", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    from learning.certificates import badge_views, verify_views, views  # noqa: F401  (routes)
    from learning.certificates.services import connect_signals

    connect_signals(app)
    app.register_blueprint(bp)
