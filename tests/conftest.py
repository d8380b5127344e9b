"""Fixtures: an app per test on a fresh database (SQLite, or PostgreSQL when
``TEST_DATABASE_URL`` is set), a client that behaves like a browser with CSRF tokens,
and helpers to create people."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from learning import create_app
from learning.accounts import services as accounts
from learning.accounts.models import OrganisationType, Role, User
from learning.config import TestConfig
from learning.db import Base, db
from learning.models import import_all_models

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import_all_models()
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    engine = create_engine(url)
    Base.metadata.drop_all(engine)
    engine.dispose()


def _empty_tables() -> None:
    session = db.session()
    session.rollback()
    # DELETE, children first: on tables this small it is ~25 times faster than TRUNCATE
    # on PostgreSQL, which rewrites every table's files (≈ 0.3 s per test here).
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(table.delete())
    if session.bind.dialect.name == "postgresql":  # type: ignore[union-attr]
        # Ids start again at 1, as on a fresh database (SQLite reuses freed ids by itself).
        session.execute(text("SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'"))
    session.commit()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(TestConfig(instance_path=tmp_path, database_url=database_url))
    application.test_client_class = BrowserLikeClient
    with application.app_context():
        _empty_tables()
    yield application
    with application.app_context():
        _empty_tables()
    db.dispose()


class BrowserLikeClient(FlaskClient):
    """A test client that finds the CSRF token in the last page, as a browser form would."""

    last_token: str | None = None

    def open(self, *args: Any, **kwargs: Any):  # type: ignore[no-untyped-def,override]
        response = super().open(*args, **kwargs)
        if response.mimetype == "text/html":
            match = CSRF_INPUT.search(response.get_data(as_text=True))
            if match:
                self.last_token = match.group(1)
        return response

    def token(self) -> str:
        """A token from a freshly loaded page, as the form the person submits would carry."""
        self.last_token = None
        self.get("/")
        assert self.last_token, "no CSRF token found on the home page"
        return self.last_token

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def]
        """GET the page (to pick up its token), then POST the form like a browser."""
        self.last_token = None
        self.get(url)
        payload = {"csrf_token": self.last_token or self.token(), **(data or {})}
        return self.post(url, data=payload, **kwargs)


@pytest.fixture
def client(app: Flask) -> BrowserLikeClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 100_000))

    def factory(role: Role = Role.PARTICIPANT, *, email: str | None = None,
                name: str | None = None, country: str | None = "BI",
                focal_countries: list[str] | None = None, language: str = "en",
                password: str | None = PASSWORD, organisation: str | None = None) -> User:
        number = next(counter)
        with app.app_context():
            org = (accounts.find_or_create_organisation(organisation, OrganisationType.NATIONAL_NGO,
                                                        country) if organisation else None)
            user = accounts.create_user(
                email=email or f"{role.value}{number}@example.org",
                name=name or f"{role.value.title()} {number}",
                role=role, language=language, country_code=country, password=password,
                focal_countries=focal_countries, organisation=org,
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return factory


def sign_in(client: BrowserLikeClient, user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.submit("/login", {"email": user.email, "password": password})


@pytest.fixture
def login(client: BrowserLikeClient):  # type: ignore[no-untyped-def]
    def do(user: User, password: str = PASSWORD):  # type: ignore[no-untyped-def]
        response = sign_in(client, user, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


# --- browser journeys: the real app on loopback, in Debian's headless Chromium -------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def browser():  # type: ignore[no-untyped-def]
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium package is not installed (make browser-deps)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# --- French expectations ----------------------------------------------------------------------

_FRENCH = None


def in_french(message: str, plural: str | None = None, num: int | None = None,
              **values: Any) -> str:
    """The French the catalog gives for a UI message, as a French reader sees it."""
    global _FRENCH
    if _FRENCH is None:
        from babel.support import Translations

        from learning.config import PROJECT_ROOT

        _FRENCH = Translations.load(str(PROJECT_ROOT / "translations"), ["fr"])
    if plural is not None:
        assert num is not None
        values.setdefault("num", num)
        text = _FRENCH.ungettext(message, plural, num)
    else:
        text = _FRENCH.ugettext(message)
    return text % values if values else text
