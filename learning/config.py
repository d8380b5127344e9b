"""Configuration: safe defaults, overridden by environment variables.

Every setting can be given as ``TANDEM_<NAME>``; the database also answers to the
conventional ``DATABASE_URL``. Nothing secret lives in the repository: without
``TANDEM_SECRET_KEY`` a random key is generated once and kept in ``instance/``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"TANDEM_{name}", default)


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value else default


def _instance_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it on first start (mode 0600)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


class Config:
    """Production defaults. Values are read when the class is instantiated."""

    TESTING = False

    def __init__(self, instance_path: Path | None = None) -> None:
        self.INSTANCE_PATH = Path(
            _env("INSTANCE_PATH") or instance_path or PROJECT_ROOT / "instance"
        )
        self.SECRET_KEY = _env("SECRET_KEY") or _instance_secret_key(self.INSTANCE_PATH)
        self.DATABASE_URL = os.environ.get("DATABASE_URL") or _env(
            "DATABASE_URL", f"sqlite:///{self.INSTANCE_PATH / 'tandem.db'}"
        )
        self.CONTENT_PATH = Path(_env("CONTENT_PATH") or PROJECT_ROOT)
        self.BASE_URL = (_env("BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
        self.REDIS_URL = _env("REDIS_URL")

        # Sessions: signed cookie carrying the user's session version; see accounts.sessions.
        self.SESSION_COOKIE_NAME = "tandem_session"
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.BASE_URL.startswith("https://")
        self.PERMANENT_SESSION_LIFETIME = timedelta(
            hours=_env_int("SESSION_ABSOLUTE_HOURS", 14 * 24)
        )
        self.SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 8 * 60))
        self.REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

        # CSRF tokens live as long as the session: a page left open must still submit.
        self.WTF_CSRF_TIME_LIMIT = None
        self.WTF_CSRF_SSL_STRICT = True

        self.MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_BYTES", 4 * 1024 * 1024)
        self.BABEL_DEFAULT_LOCALE = "en"
        self.BABEL_DEFAULT_TIMEZONE = "UTC"
        self.BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
        self.LANGUAGES = ("en", "fr")

        # Sign-in throttling: failures allowed per window, per account and per address.
        self.LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
        self.LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20)
        self.LOGIN_FAILURE_WINDOW = timedelta(minutes=_env_int("LOGIN_WINDOW_MINUTES", 15))

        # Certificates: the organisations printed as issuers ("A; B" in the environment), and
        # public verification lookups allowed per client address and window.
        self.CERTIFICATE_ISSUERS = tuple(
            name.strip() for name in (_env("CERTIFICATE_ISSUERS") or "Tandem").split(";")
            if name.strip()
        )
        self.VERIFY_MAX_LOOKUPS_PER_ADDRESS = _env_int("VERIFY_MAX_LOOKUPS_PER_ADDRESS", 60)
        self.VERIFY_WINDOW = timedelta(minutes=_env_int("VERIFY_WINDOW_MINUTES", 10))

        # JSON API: requests allowed per personal access token in ten minutes.
        self.API_RATE_LIMIT = _env_int("API_RATE_LIMIT", 600)

        # A built dashboard is served again for this long to the same scope and filters
        # (each figure states the time of its data); 0 builds every time.
        self.ANALYTICS_CACHE_SECONDS = _env_int("ANALYTICS_CACHE_SECONDS", 300)

        # Audit events older than this are deleted by `flask audit purge` (run it daily).
        self.AUDIT_RETENTION_DAYS = _env_int("AUDIT_RETENTION_DAYS", 730)

        self.INVITATION_TTL = timedelta(days=_env_int("INVITATION_DAYS", 14))
        self.PASSWORD_RESET_TTL = timedelta(hours=_env_int("RESET_HOURS", 2))
        self.SETUP_TOKEN_TTL = timedelta(hours=_env_int("SETUP_HOURS", 24))

        self.SMTP_HOST = _env("SMTP_HOST")
        self.SMTP_PORT = _env_int("SMTP_PORT", 587)
        self.SMTP_USERNAME = _env("SMTP_USERNAME")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = (_env("SMTP_STARTTLS", "1") or "1") != "0"
        self.MAIL_FROM = _env("MAIL_FROM", "Tandem <no-reply@localhost>")

        # xAPI intake: activity IRI -> unit id. Entries here win over those of the YAML
        # file named by TANDEM_XAPI_MAP (a mapping of the same shape).
        self.XAPI_ACTIVITY_MAP: dict[str, str] = {}
        self.XAPI_MAP_PATH = _env("XAPI_MAP")

    def as_dict(self) -> dict[str, object]:
        return {key: getattr(self, key) for key in dir(self) if key.isupper()}


class TestConfig(Config):
    """Used by the test suite: a throwaway instance folder and database."""

    TESTING = True

    def __init__(self, instance_path: Path, database_url: str) -> None:
        super().__init__(instance_path=instance_path)
        self.INSTANCE_PATH = instance_path
        self.SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105 (tests only)
        self.DATABASE_URL = database_url
        self.REDIS_URL = None
        self.SMTP_HOST = None
        self.PASSWORD_HASH_FAST = True
        self.ANALYTICS_CACHE_SECONDS = 0  # tests compare figures with the rows they wrote
