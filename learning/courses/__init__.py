"""The course reader: my learning, units, sections, progress and reflections."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")
