"""The programme report: the dashboards' figures for one cohort or country, a generated
summary in the reader's language, as a printable page and a PDF, within the reader's scope."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import pytest
from babel.numbers import format_decimal, format_percent
from flask import Flask
from pypdf import PdfReader

from learning.accounts.models import Role, User
from learning.analytics.framework import DASHBOARDS, Figure, Filters
from learning.analytics.report import COHORT_FIGURES, COUNTRY_FIGURES
from learning.db import db
from tests.analytics.analytics_world import World, build_world
from tests.conftest import BrowserLikeClient, in_french, sign_in


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


def dashboard_figures(app: Flask, viewer: User, filters: Filters) -> dict[str, Figure]:
    """Every figure of every dashboard, as the dashboards show them to ``viewer``."""
    with app.test_request_context():
        person = db.session.get(User, viewer.id)
        assert person is not None
        return {figure.id: figure for dashboard in DASHBOARDS.values()
                for figure in dashboard.build(person, filters)}


def page_text(response: Any) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, spaces joined."""
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(text).split())


def signed_in_client(app: Flask, user: User) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(client, user).status_code == 302
    return client


def cell(value: Any, kind: str, locale: str = "en") -> str:
    if value is None:
        return "—"
    if kind == "percent":
        return format_percent(value, locale=locale)
    if kind in ("count", "number"):
        return format_decimal(value, locale=locale)
    return str(value)


def test_the_cohort_report_shows_the_dashboard_figures(app: Flask, world: World) -> None:
    admin = world.staff["admin"]
    alpha = world.cohorts["alpha"]
    expected = dashboard_figures(app, admin, Filters(cohort_id=alpha))

    response = signed_in_client(app, admin).get(f"/analytics/report?cohort={alpha}")

    assert response.status_code == 200
    text = page_text(response)
    assert "ToT Alpha" in text
    for figure_id in COHORT_FIGURES:
        figure = expected[figure_id]
        assert figure.table.rows, figure_id  # the world has data for every figure
        assert f'id="{figure_id}"' in response.get_data(as_text=True)
        assert figure.title in text
        assert f"n = {figure.n}" in text
        for row in figure.table.rows:
            shown = " ".join(cell(row[column.key], column.kind) for column in figure.table.columns)
            assert shown in text, (figure_id, shown)


def test_the_summary_is_built_from_the_same_numbers(app: Flask, world: World) -> None:
    admin = world.staff["admin"]
    expected = dashboard_figures(app, admin, Filters(country_code="BI"))
    knowledge = expected["knowledge-by-country"].table.rows[-1]
    cascade = expected["rollout-cascade-by-country"].table.rows[-1]
    funnel_figure = expected["precourse-funnel"]
    funnel = funnel_figure.table.rows[-1]
    last_step = [column.key for column in funnel_figure.table.columns
                 if column.key.startswith("step_") and column.kind == "count"][-1]

    text = page_text(signed_in_client(app, admin).get("/analytics/report?country=BI"))

    assert (f"{funnel[last_step]} of {funnel['enrolled']} participants "
            f"({format_percent(funnel[last_step] / funnel['enrolled'], locale='en')}) have done "
            "the last part of the pre-course work.") in text
    assert ("The mean knowledge test score went from "
            f"{format_percent(knowledge['mean_pre'], locale='en')} before the course to "
            f"{format_percent(knowledge['mean_post'], locale='en')} after it "
            f"(n = {knowledge['paired']}).") in text
    assert (f"{cascade['trainers']} of {cascade['participants']} ToT participants have "
            "delivered at least one training.") in text
    for figure_id in COUNTRY_FIGURES:
        assert expected[figure_id].title in text


def test_a_french_reader_gets_the_summary_in_french(app: Flask, world: World,
                                                    make_user) -> None:  # type: ignore[no-untyped-def]
    reader = make_user(Role.ADMIN, country=None, language="fr")
    alpha = world.cohorts["alpha"]
    figures = dashboard_figures(app, reader, Filters(cohort_id=alpha))
    knowledge = figures["knowledge-by-cohort"].table.rows[-1]
    confidence = figures["confidence-rose-by-country"].table.rows[-1]

    text = page_text(signed_in_client(app, reader).get(f"/analytics/report?cohort={alpha}"))

    assert in_french(
        "The mean knowledge test score went from %(pre)s before the course to %(post)s "
        "after it (n = %(n)d).", pre=format_percent(knowledge["mean_pre"], locale="fr"),
        post=format_percent(knowledge["mean_post"], locale="fr"), n=knowledge["paired"],
    ).replace("\xa0", " ") in text.replace("\xa0", " ")
    assert in_french(
        "%(rose)d of %(num)d participant who rated their confidence twice (%(percent)s) "
        "rated it higher after the course.",
        "%(rose)d of %(num)d participants who rated their confidence twice (%(percent)s) "
        "rated it higher after the course.", num=confidence["paired"], rose=confidence["rose"],
        percent=format_percent(confidence["rose"] / confidence["paired"], locale="fr"),
    ).replace("\xa0", " ") in text.replace("\xa0", " ")


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(body))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(text.replace("\xa0", " ").split())


def test_the_pdf_says_the_same_in_extractable_text(app: Flask, world: World) -> None:
    admin = world.staff["admin"]
    beta = world.cohorts["beta"]
    figures = dashboard_figures(app, admin, Filters(cohort_id=beta))
    certificates = figures["certificates-issued"].table.rows[-1]
    cascade = figures["rollout-cascade-by-cohort"].table.rows[-1]

    response = signed_in_client(app, admin).get(f"/analytics/report.pdf?cohort={beta}")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pages, text = pdf_text(response.data)
    assert 1 <= pages <= 3
    assert "Programme report" in text and "ToT Beta" in text
    assert (f"{certificates['certified']} of {certificates['enrolled']} ToT participants "
            f"({format_percent(certificates['share'] or 0, locale='en')}) hold a certificate."
            ) in text
    assert (f"{cascade['trainers']} of {cascade['participants']} ToT participants have "
            "delivered at least one training.") in text
    for figure_id in COHORT_FIGURES:
        assert figures[figure_id].title in text


def test_the_pdf_is_in_the_readers_language(app: Flask, world: World,
                                            make_user) -> None:  # type: ignore[no-untyped-def]
    reader = make_user(Role.ADMIN, country=None, language="fr")
    figures = dashboard_figures(app, reader, Filters(country_code="CD"))
    knowledge = figures["knowledge-by-country"].table.rows[-1]

    response = signed_in_client(app, reader).get("/analytics/report.pdf?country=CD")

    _pages, text = pdf_text(response.data)
    assert in_french("Programme report") in text
    assert in_french(
        "The mean knowledge test score went from %(pre)s before the course to %(post)s "
        "after it (n = %(n)d).", pre=format_percent(knowledge["mean_pre"], locale="fr"),
        post=format_percent(knowledge["mean_post"], locale="fr"), n=knowledge["paired"],
    ).replace("\xa0", " ") in text


def test_a_focal_point_reports_on_their_countries_only(app: Flask, world: World) -> None:
    focal = world.staff["focal_bi_ne"]
    client = signed_in_client(app, focal)
    beta = world.cohorts["beta"]  # covers CD and BI: the focal point sees its Burundians

    response = client.get(f"/analytics/report?cohort={beta}")

    assert response.status_code == 200
    expected = dashboard_figures(app, focal, Filters(cohort_id=beta))
    assert f"n = {expected['precourse-funnel'].n}" in page_text(response)
    with app.app_context():
        burundians_in_beta = sum(
            1 for user_id in world.people.values()
            if (person := db.session.get(User, user_id)) is not None
            and person.country_code == "BI"
            and any(e.cohort_id == beta and e.status.value in ("nominated", "confirmed")
                    for e in _enrolments(user_id)))
    assert expected["precourse-funnel"].n == burundians_in_beta


def _enrolments(user_id: int) -> list[Any]:
    from sqlalchemy import select

    from learning.cohorts.models import Enrolment

    return list(db.session.scalars(select(Enrolment).where(Enrolment.user_id == user_id)))


@pytest.mark.parametrize("who, query", [
    ("focal_cd", "cohort={alpha}"),  # alpha covers BI and NE, not CD
    ("focal_bi_ne", "country=CD"),
    ("coordinator_bi", "country=NE"),
    ("fac_alpha", "cohort={beta}"),  # not their cohort
    ("fac_alpha", "country=CD"),  # no cohort of theirs covers CD
    ("admin", "cohort=999999"),
    ("admin", "cohort=alpha"),
    ("admin", "cohort={alpha}&country=CD"),  # alpha does not cover CD
])
def test_out_of_scope_is_not_found(app: Flask, world: World, who: str, query: str) -> None:
    client = signed_in_client(app, world.staff[who])
    query = query.format(alpha=world.cohorts["alpha"], beta=world.cohorts["beta"])
    assert client.get(f"/analytics/report?{query}").status_code == 404
    assert client.get(f"/analytics/report.pdf?{query}").status_code == 404


def test_participants_have_no_report(app: Flask, world: World) -> None:
    client = signed_in_client(app, world.staff["participant"])
    assert client.get(f"/analytics/report?cohort={world.cohorts['alpha']}").status_code == 403


def test_the_chooser_offers_what_the_reader_may_report_on(app: Flask, world: World) -> None:
    text = signed_in_client(app, world.staff["focal_cd"]).get("/analytics/report")
    assert text.status_code == 200
    page = page_text(text)
    assert "ToT Beta" in page and "ToT Alpha" not in page
    assert "Congo" in page and "Niger" not in page


def test_a_missing_dashboard_leaves_its_figures_out(app: Flask, world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(DASHBOARDS, "rollout")
    response = signed_in_client(app, world.staff["admin"]).get("/analytics/report?country=BI")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="precourse-funnel"' in body and 'id="rollout-cascade-by-country"' not in body
    assert "delivered at least one training" not in body
