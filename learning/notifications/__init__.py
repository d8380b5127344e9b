"""Notifications: one service that renders a message in the recipient's language."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("notifications", __name__, template_folder="templates")
