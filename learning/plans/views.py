"""Action plan pages (being built: see plans/services.py)."""

from __future__ import annotations

from flask import redirect, url_for
from werkzeug.wrappers import Response

from learning.access import signed_in
from learning.plans import bp


@bp.get("/plan")
@signed_in
def my_plan() -> Response:
    return redirect(url_for("courses.my_learning"))
