"""The individual supervision action plan (and, later, the country roll-out plan)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plans", __name__, template_folder="templates")
