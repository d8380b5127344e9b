"""Privacy: a person downloads everything held about them and asks for deletion; an admin
completes the deletion, which removes personal data and keeps aggregates working."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("privacy", __name__, template_folder="templates")
