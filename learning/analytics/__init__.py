"""Analytics: dashboards of completion, knowledge and confidence gains and roll-out reach,
their exports and the printable programme report."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("analytics", __name__, template_folder="templates", url_prefix="/analytics")


def init_app(app: Flask) -> None:
    # Each dashboards module registers its dashboards in framework.DASHBOARDS on import.
    from learning.analytics import (  # noqa: F401
        learning_dashboards,
        report_views,
        rollout_dashboards,
        survey_dashboards,
        views,
    )

    app.register_blueprint(bp)
