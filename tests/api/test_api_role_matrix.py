"""Every API endpoint × every role: the status, and exactly which records come back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import User
from learning.analytics import framework
from learning.analytics.framework import Column, Dashboard, Figure, Filters, Table
from learning.db import db
from tests.api.api_world import VIEWERS, World, build_world


@pytest.fixture
def world(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    return build_world(app, make_user)


def _counted_people(viewer: User, filters: Filters) -> list[Figure]:
    """A test dashboard: how many counted enrolments the viewer sees, per country."""
    scoped = framework.people(viewer, filters).subquery()
    rows = db.session.execute(select(scoped.c.country_code, func.count())
                              .group_by(scoped.c.country_code)
                              .order_by(scoped.c.country_code)).all()
    table = Table(columns=(Column("country", "Country"), Column("people", "People", "count")),
                  rows=tuple({"country": code, "people": count} for code, count in rows))
    return [Figure(id="people-by-country", title="People by country",
                   n=sum(count for _, count in rows),
                   as_of=datetime(2030, 7, 1, 12, 0, tzinfo=UTC), table=table,
                   note="A test figure.")]


@pytest.fixture
def test_dashboard() -> Iterator[Dashboard]:
    dashboard = framework.register(Dashboard(slug="api-test-people", title=lambda: "People",
                                             build=_counted_people))
    yield dashboard
    del framework.DASHBOARDS[dashboard.slug]


def _ids(body: dict, key: str = "id") -> set:
    return {item[key] for item in body["items"]}


def test_me_is_the_token_holder(client, world: World) -> None:  # type: ignore[no-untyped-def]
    for who in VIEWERS:
        response = client.get("/api/v1/me", headers=world.auth(who))
        assert response.status_code == 200
        assert response.json["id"] == world.people[who].id
        assert response.json["role"] == world.people[who].role.value


def test_cohorts_are_scoped(client, world: World) -> None:  # type: ignore[no-untyped-def]
    x, y = world.ids["x"], world.ids["y"]
    expected_lists = {"admin": {x, y}, "facilitator": {x}, "focal_a": {x}, "focal_b": {x, y},
                      "coordinator": {x}, "participant": {x}}
    for who, expected in expected_lists.items():
        response = client.get("/api/v1/cohorts", headers=world.auth(who))
        assert (who, response.status_code, _ids(response.json)) == (who, 200, expected)
        detail = client.get(f"/api/v1/cohorts/{y}", headers=world.auth(who))
        assert (who, detail.status_code) == (who, 200 if y in expected else 404)
        if y not in expected:
            assert detail.mimetype == "application/problem+json"


def test_enrolments_show_progress_in_scope(client, world: World) -> None:  # type: ignore[no-untyped-def]
    x, y = world.ids["x"], world.ids["y"]
    bi, rw = world.ids["enrolment_participant"], world.ids["enrolment_participant_rw"]
    expected = {"admin": (200, {bi, rw}), "facilitator": (200, {bi, rw}),
                "focal_a": (200, {bi}), "focal_b": (200, {rw}), "coordinator": (200, {bi}),
                "participant": (403, None)}
    for who, (status, ids) in expected.items():
        response = client.get(f"/api/v1/cohorts/{x}/enrolments", headers=world.auth(who))
        assert (who, response.status_code) == (who, status)
        if ids is not None:
            assert _ids(response.json) == ids
            for item in response.json["items"]:
                progress = item["progress"]
                # Both took the knowledge pre-test (the pre-evaluation); no unit is done.
                assert progress["steps_done"] == ["pre-evaluation"]
                assert progress["modules_done"] == 0
                assert progress["steps_total"] == len(response.json["steps"]) > 0
    # A cohort outside the focal point's countries is not found, not forbidden.
    response = client.get(f"/api/v1/cohorts/{y}/enrolments", headers=world.auth("focal_a"))
    assert response.status_code == 404


def test_results_show_people_to_facilitators_and_aggregates_to_countries(  # type: ignore[no-untyped-def]
        client, world: World) -> None:
    x = world.ids["x"]
    bi, rw = world.people["participant"].id, world.people["participant_rw"].id
    for who, people, paired_n, mean_pre in (("admin", {bi, rw}, 2, 0.45),
                                            ("facilitator", {bi, rw}, 2, 0.45),
                                            ("focal_a", set(), 1, 0.4),
                                            ("focal_b", set(), 1, 0.5),
                                            ("coordinator", set(), 1, 0.4)):
        response = client.get(f"/api/v1/cohorts/{x}/results", headers=world.auth(who))
        assert response.status_code == 200, who
        body = response.json
        assert {item["person"]["id"] for item in body["items"]} == people, who
        overall = body["summary"]["knowledge"][0]["overall"]
        assert overall["paired_n"] == paired_n, who
        assert overall["mean_pre"] == pytest.approx(mean_pre), who
    admin = client.get(f"/api/v1/cohorts/{x}/results", headers=world.auth("admin")).json
    aline = next(item for item in admin["items"] if item["person"]["id"] == bi)
    assert aline["tests"] == [{"bank_id": "knowledge-test", "pre": 0.4, "post": 0.8,
                               "difference": pytest.approx(0.4), "gain": pytest.approx(2 / 3)}]
    assert client.get(f"/api/v1/cohorts/{x}/results",
                      headers=world.auth("participant")).status_code == 403


def test_trainings_and_reports_are_scoped(client, world: World) -> None:  # type: ignore[no-untyped-def]
    x = world.ids["x"]
    t_bi, t_rw = world.ids["training_participant"], world.ids["training_participant_rw"]
    r_bi, r_rw = world.ids["report_participant"], world.ids["report_participant_rw"]
    expected = {"admin": {t_bi, t_rw}, "facilitator": {t_bi, t_rw}, "focal_a": {t_bi},
                "focal_b": {t_rw}, "coordinator": {t_bi}, "participant": {t_bi}}
    reports = {t_bi: r_bi, t_rw: r_rw}
    for who, trainings in expected.items():
        listed = client.get(f"/api/v1/cohorts/{x}/trainings", headers=world.auth(who))
        assert (who, listed.status_code, _ids(listed.json)) == (who, 200, trainings)
        report_list = client.get("/api/v1/reports", headers=world.auth(who))
        assert _ids(report_list.json) == {reports[t] for t in trainings}, who
        assert {item["status"] for item in report_list.json["items"]} == {"submitted"}
        for training_id in (t_bi, t_rw):
            detail = client.get(f"/api/v1/trainings/{training_id}", headers=world.auth(who))
            assert (who, detail.status_code) == (who, 200 if training_id in trainings else 404)
    detail = client.get(f"/api/v1/trainings/{t_bi}", headers=world.auth("focal_a")).json
    assert detail["participants_total"] == 7
    assert detail["report"]["status"] == "submitted"
    assert detail["trainer"]["name"] == "Aline Ndayishimiye"


def test_certificates_are_scoped(client, world: World) -> None:  # type: ignore[no-untyped-def]
    c_bi = world.ids["certificate_participant"]
    c_rw = world.ids["certificate_participant_rw"]
    c_y = world.ids["certificate_participant_y"]
    expected = {"admin": {c_bi, c_rw, c_y}, "facilitator": {c_bi, c_rw}, "focal_a": {c_bi},
                "focal_b": {c_rw, c_y}, "coordinator": {c_bi}, "participant": {c_bi}}
    for who, certificates in expected.items():
        response = client.get("/api/v1/certificates", headers=world.auth(who))
        assert (who, response.status_code, _ids(response.json)) == (who, 200, certificates)
    mine = client.get("/api/v1/certificates", headers=world.auth("participant")).json["items"][0]
    assert mine["holder_name"] == "Aline Ndayishimiye"
    assert mine["status"] == "valid"
    assert mine["verification_url"].endswith("/verify/code-participant")
    assert mine["cohort"]["id"] == world.ids["x"]


def test_dashboards_for_staff_scoped_by_the_framework(  # type: ignore[no-untyped-def]
        client, world: World, test_dashboard: Dashboard) -> None:
    expected_n = {"admin": 3, "facilitator": 2, "focal_a": 1, "focal_b": 2, "coordinator": 1}
    for who, n in expected_n.items():
        listed = client.get("/api/v1/dashboards", headers=world.auth(who))
        assert "api-test-people" in _ids(listed.json, "slug"), who
        response = client.get("/api/v1/dashboards/api-test-people", headers=world.auth(who))
        assert response.status_code == 200, who
        figure = response.json["items"][0]
        assert (who, figure["id"], figure["n"]) == (who, "people-by-country", n)
        assert figure["as_of"] == "2030-07-01T12:00:00+00:00"
        assert figure["columns"] == [{"key": "country", "label": "Country", "kind": "text"},
                                     {"key": "people", "label": "People", "kind": "count"}]
        assert sum(row["people"] for row in figure["rows"]) == n
    filtered = client.get("/api/v1/dashboards/api-test-people?country=RW",
                          headers=world.auth("admin")).json
    assert filtered["filters"] == {"country": "RW"}
    assert filtered["items"][0]["rows"] == [{"country": "RW", "people": 2}]
    for path in ("/api/v1/dashboards", "/api/v1/dashboards/api-test-people"):
        assert client.get(path, headers=world.auth("participant")).status_code == 403
    missing = client.get("/api/v1/dashboards/no-such-board", headers=world.auth("admin"))
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_a_token_follows_its_holders_current_scope(  # type: ignore[no-untyped-def]
        app: Flask, client, world: World) -> None:
    from learning.accounts.models import FocalPointCountry

    before = client.get("/api/v1/certificates", headers=world.auth("focal_a"))
    assert _ids(before.json) == {world.ids["certificate_participant"]}
    with app.app_context():
        db.session.add(FocalPointCountry(user_id=world.people["focal_a"].id, country_code="RW"))
        db.session.commit()
    after = client.get("/api/v1/certificates", headers=world.auth("focal_a"))
    assert _ids(after.json) == {world.ids[f"certificate_{key}"]
                                for key in ("participant", "participant_rw", "participant_y")}
