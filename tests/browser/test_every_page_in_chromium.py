"""Every HTML page, as every role, in headless Chromium: the security headers are there,
the browser reports no Content-Security-Policy violation, and axe-core (from the npm
registry, `make a11y-deps`) finds no serious or critical accessibility problem, in English
and in French.

Pages are enumerated from ``app.url_map`` with the role matrix's world, so a new page is
checked without touching this file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Error as PlaywrightError

from learning.config import PROJECT_ROOT
from tests.conftest import PASSWORD
from tests.test_access_matrix import ROLES, _route_methods, rule_url, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

AXE = Path(os.environ.get("AXE_JS", PROJECT_ROOT / ".venv" / "axe-core" / "axe.min.js"))
DOWNLOADS = (".pdf", ".csv", ".xlsx", ".json", ".png", ".svg")
REQUIRED_HEADERS = {
    "content-security-policy": "default-src 'self'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def _urls(app: Flask, ids: dict[str, object]) -> list[tuple[str, str]]:
    found = []
    for endpoint, method, rule in _route_methods(app):
        if method != "GET" or rule.startswith("/api/"):
            continue
        url = rule_url(rule, ids)
        if "<" not in url and not url.endswith(DOWNLOADS):
            found.append((endpoint, url))
    return found


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing: `make a11y-deps` fetches axe-core from npm")
        pytest.skip("axe-core is not installed (make a11y-deps)")
    return AXE.read_text(encoding="utf-8")


def _sign_in(page, live_server: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack [type=submit]")


def _axe(page, source: str) -> list[str]:  # type: ignore[no-untyped-def]
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(source)  # DevTools evaluation: not subject to the page's CSP
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3)
                 .map(n => n.target.join(' ')).join(' | '));
    }""")
    return list(result)


# Chromium drops connections for files it already holds (the favicon on every page) and
# Werkzeug's test server then leaves that file to the garbage collector: a quirk of the
# test server (production runs gunicorn), not of the pages checked here.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_every_page_as_every_role(app: Flask, world, live_server, browser,  # noqa: F811
                                  axe_source: str) -> None:
    """Every role sees every page it may open in English (headers, CSP); axe checks each
    page type once per language, the French pass revisiting only pages not yet checked."""
    people, ids = world
    urls = _urls(app, ids)
    probe = browser.new_page()
    probe.set_content('<html lang="en"><title>t</title><img src="x.png"></html>')
    assert any(v.startswith("image-alt") for v in _axe(probe, axe_source))  # axe is running
    probe.close()
    checked_with_axe: set[tuple[str, str]] = set()
    problems: list[str] = []
    pages_seen = 0
    for role in ROLES:
        context = browser.new_context(locale="en-GB")
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda message, sink=violations: sink.append(message.text)
                if "Content Security Policy" in message.text else None)
        if role != "anonymous":
            _sign_in(page, live_server, people[role].email)
        opened = []
        for language in ("en", "fr"):
            if language == "fr":
                page.goto(f"{live_server}/")
                page.click("form.lang-switch button[value=fr]")
            for endpoint, url in (urls if language == "en" else opened):
                if endpoint == "accounts.logout" or (
                        language == "fr" and (endpoint, "fr") in checked_with_axe):
                    continue
                try:
                    response = page.goto(f"{live_server}{url}")
                except PlaywrightError as error:  # a file download, not a page
                    if "Download is starting" in str(error):
                        continue
                    raise
                if response is None or response.status != 200 or \
                        "text/html" not in (response.headers.get("content-type") or ""):
                    continue
                if not response.url.startswith(f"{live_server}{url.split('?')[0]}"):
                    continue  # redirected elsewhere: that page is checked on its own
                pages_seen += 1
                if language == "en":
                    opened.append((endpoint, url))
                    headers = {name.lower(): value for name, value in response.headers.items()}
                    for name, expected in REQUIRED_HEADERS.items():
                        if expected not in headers.get(name, ""):
                            problems.append(f"{role} {url}: header {name} is "
                                            f"{headers.get(name)!r}")
                if (endpoint, language) not in checked_with_axe:
                    checked_with_axe.add((endpoint, language))
                    problems += [f"{language} {url}: {v}" for v in _axe(page, axe_source)]
        problems += [f"{role} CSP: {text}" for text in violations]
        context.close()
    assert pages_seen > 100
    assert len({endpoint for endpoint, language in checked_with_axe if language == "fr"}) > 40
    assert problems == []
