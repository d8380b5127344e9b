"""Pages and plumbing that belong to no single domain: home, health, errors, headers."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("core", __name__, template_folder="templates")
