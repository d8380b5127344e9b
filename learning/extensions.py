"""Extension singletons, bound to the app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from learning.db import db

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()

__all__ = ["babel", "csrf", "db", "login_manager"]
