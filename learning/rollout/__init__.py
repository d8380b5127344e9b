"""Roll-out: in-country trainings, training reports with focal-point review, follow-up."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rollout", __name__, template_folder="templates")
