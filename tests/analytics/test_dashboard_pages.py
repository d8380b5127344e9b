"""The dashboard pages as a reader sees them: menu, figures with n and date, numbers in
the reader's locale, exports, who may look, page weight, Plotly caching and CSP."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import openpyxl
import pytest
from babel.numbers import format_decimal, format_percent
from flask import Flask

from learning.accounts.models import User
from learning.analytics.framework import DASHBOARDS, Filters
from learning.analytics.views import PLOTLY
from learning.db import db
from tests.analytics.analytics_world import STAFF_PASSWORD, World, build_world
from tests.assessments.results_world import table_rows
from tests.conftest import BrowserLikeClient, in_french, sign_in

EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
PAGE_BUDGET = 40 * 1024


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def signed_in(client: BrowserLikeClient, world: World, staff_key: str) -> BrowserLikeClient:
    assert sign_in(client, world.staff[staff_key], STAFF_PASSWORD).status_code == 302
    return client


def in_french_reader(client: BrowserLikeClient) -> None:
    client.post("/language", data={"language": "fr", "next": "/",
                                   "csrf_token": client.token()})


def figures(app: Flask, world: World, staff_key: str, slug: str,
            locale: str = "en", **filters: Any) -> dict[str, Any]:
    with app.test_request_context("/", headers={"Accept-Language": locale}):
        viewer = db.session.get(User, world.staff[staff_key].id)
        assert viewer is not None
        viewer.language = locale
        built = DASHBOARDS[slug].build(viewer, Filters(**filters))
        db.session.rollback()
        return {figure.id: figure for figure in built}


def test_menu_lists_the_dashboards_in_order(app: Flask, client: BrowserLikeClient,
                                            world: World) -> None:
    html = signed_in(client, world, "focal_bi_ne").get("/analytics/").get_data(as_text=True)
    expected = sorted(DASHBOARDS.values(), key=lambda dashboard: (dashboard.order,
                                                                  dashboard.slug))
    links = re.findall(r'href="/analytics/([a-z-]+)"', html)
    assert links == [dashboard.slug for dashboard in expected]
    assert 'href="/analytics/"' in html  # the main menu links here for staff


@pytest.mark.parametrize("path", ["/analytics/", "/analytics/precourse",
                                  "/analytics/precourse/precourse-funnel.csv"])
def test_participants_are_refused(client: BrowserLikeClient, world: World, path: str) -> None:
    assert signed_in(client, world, "participant").get(path).status_code == 403


def test_unknown_dashboard_or_figure_is_not_found(client: BrowserLikeClient,
                                                  world: World) -> None:
    signed_in(client, world, "admin")
    assert client.get("/analytics/no-such-dashboard").status_code == 404
    assert client.get("/analytics/precourse/no-such-figure.csv").status_code == 404
    assert client.get("/analytics/precourse/knowledge-by-country.xlsx").status_code == 404


def test_page_shows_every_figure_with_n_date_and_table(app: Flask, client: BrowserLikeClient,
                                                      world: World) -> None:
    html = signed_in(client, world, "admin").get("/analytics/knowledge").get_data(as_text=True)
    built = figures(app, world, "admin", "knowledge")
    for figure in built.values():
        section = html.split(f'id="{figure.id}"', 1)[1].split("</section>", 1)[0]
        assert figure.title in section
        assert f"n = {figure.n}" in section
        assert "Data as of" in section
        rows = table_rows(html, table_id=f"{figure.id}-table")
        assert rows[0] == [column.label for column in figure.table.columns]
        assert len(rows) == 1 + len(figure.table.rows)
    # Every percentage as the figure has it, formatted for an English reader.
    total = built["knowledge-by-country"].table.rows[-1]
    last = table_rows(html, table_id="knowledge-by-country-table")[-1]
    assert last[:4] == ["All", str(total["paired"]),
                        format_percent(total["mean_pre"], locale="en"),
                        format_percent(total["mean_post"], locale="en")]
    assert last[5] == format_decimal(total["gain"], locale="en")
    assert "1 group of fewer than 5 people is not shown." in html


def test_french_reader_sees_french_numbers(app: Flask, client: BrowserLikeClient,
                                          world: World) -> None:
    signed_in(client, world, "admin")
    in_french_reader(client)
    html = client.get("/analytics/precourse").get_data(as_text=True)
    funnel = figures(app, world, "admin", "precourse", locale="fr")["precourse-funnel"]
    total = funnel.table.rows[-1]
    rows = table_rows(html, table_id="precourse-funnel-table")
    shares = [format_percent(total[f"step_{index}_share"], locale="fr") for index in range(3)]
    # The table reader folds spaces; the page itself has Babel's no-break space.
    spaced = [" ".join(share.split()) for share in shares]
    assert rows[-1] == [in_french("All cohorts"), "26",
                        str(total["step_0"]), spaced[0], str(total["step_1"]), spaced[1],
                        str(total["step_2"]), spaced[2]]
    assert all(re.fullmatch(r"\d+\xa0%", share) and f">{share}<" in html
               for share in shares)  # e.g. "42 %"
    assert in_french("Pre-course completion per cohort") in html
    assert in_french("n = %(n)s", n="26") in html
    assert in_french("%(num)d group of fewer than %(min)d people is not shown.",
                     "%(num)d groups of fewer than %(min)d people are not shown.",
                     num=1, min=5) in unescape(html)


def test_exports_keep_filters_and_parse_back_with_french_headers(
        app: Flask, client: BrowserLikeClient, world: World) -> None:
    signed_in(client, world, "admin")
    in_french_reader(client)
    html = client.get("/analytics/knowledge?country=NE").get_data(as_text=True)
    assert "/analytics/knowledge/knowledge-by-cohort.csv?country=NE" in html
    figure = figures(app, world, "admin", "knowledge", locale="fr",
                     country_code="NE")["knowledge-by-cohort"]
    response = client.get("/analytics/knowledge/knowledge-by-cohort.csv?country=NE")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == [in_french("Cohort"), in_french("Paired n"),
                       in_french("Mean pre-test score"), in_french("Mean post-test score"),
                       in_french("Mean difference (points)"), in_french("Normalised gain (g)"),
                       in_french("One test only")]
    alpha = next(row for row in rows[1:] if row[0] == "ToT Alpha")
    expected = next(row for row in figure.table.rows if row["group"] == "ToT Alpha")
    assert int(alpha[1]) == expected["paired"] == 5  # Niger's five paired people only
    assert float(alpha[2]) == pytest.approx(expected["mean_pre"], abs=1e-4)

    response = client.get("/analytics/knowledge/knowledge-by-cohort.xlsx?country=NE")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == (in_french("Cohort"), in_french("Paired n"))
    assert values[1][0] == "ToT Alpha" and values[1][1] == 5
    assert values[1][2] == pytest.approx(expected["mean_pre"], abs=1e-4)


def test_export_cells_cannot_run_as_formulas(app: Flask, client: BrowserLikeClient,
                                            world: World) -> None:
    with app.app_context():
        person = db.session.get(User, world.people["Fabrice Nkurunziza"])
        assert person is not None
        person.name = "=HYPERLINK(\"http://evil\")"
        db.session.commit()
    signed_in(client, world, "admin")
    body = client.get("/analytics/precourse/precourse-blocked.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body and "\n=HYPERLINK" not in body


def test_facilitator_page_shows_only_their_cohort(client: BrowserLikeClient,
                                                 world: World) -> None:
    html = signed_in(client, world, "fac_alpha").get("/analytics/precourse").get_data(
        as_text=True)
    assert "ToT Alpha" in html and "ToT Beta" not in html
    assert "Sylvie Mbuyi" not in html and "Fabrice Nkurunziza" in html


def test_pages_stay_light_and_load_plotly_only_with_charts(
        client: BrowserLikeClient, world: World) -> None:
    signed_in(client, world, "admin")
    with_charts = client.get("/analytics/precourse")
    assert len(with_charts.data) < PAGE_BUDGET
    assert with_charts.get_data(as_text=True).count(f"/static/{PLOTLY}") == 1
    # A cohort of three: every breakdown is folded, so there is no chart to draw.
    without = client.get(f"/analytics/knowledge?cohort={world.cohorts['gamma']}")
    html = without.get_data(as_text=True)
    assert "plotly" not in html and "data-chart" not in html
    assert len(without.data) < PAGE_BUDGET


def test_plotly_is_cached_for_a_year_and_pages_are_not(client: BrowserLikeClient,
                                                      world: World) -> None:
    response = client.get(f"/static/{PLOTLY}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
    css = client.get("/static/css/tandem.css")
    assert "immutable" not in css.headers.get("Cache-Control", "")
    css.close()
    page = signed_in(client, world, "admin").get("/analytics/precourse")
    assert page.headers["Cache-Control"] == "no-store"
    style_src = next(part for part in page.headers["Content-Security-Policy"].split(";")
                     if part.strip().startswith("style-src"))
    assert EMPTY_STYLE_HASH in style_src and "unsafe-inline" not in style_src


@pytest.mark.browser
def test_chart_renders_in_a_browser_without_csp_violations(
        live_server: str, browser, world: World) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    # Recorded from the first script on, whatever the page's own scripts do.
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation',"
                         " e => window.__violations.push(e.violatedDirective));")
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail address").fill(world.staff["admin"].email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r".*/$"))
    page.goto(f"{live_server}/analytics/knowledge")
    page.wait_for_selector("#knowledge-by-country .chart svg.main-svg", timeout=15000)
    assert page.locator("#knowledge-by-country .chart .bars path").count() > 0
    assert page.evaluate("window.__violations") == []
    assert problems == []
    context.close()
