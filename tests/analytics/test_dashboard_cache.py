"""A built dashboard is served again to the same scope and filters for a few minutes,
and never to a viewer whose scope differs."""

from __future__ import annotations

from learning.accounts.models import Role, User
from learning.analytics import framework
from learning.analytics.framework import Dashboard, Figure, Filters, Table, build_cached
from learning.db import db, utcnow


def _counting_dashboard(calls: list[str]) -> Dashboard:
    def build(viewer: User, filters: Filters) -> list[Figure]:
        calls.append(viewer.email)
        return [Figure(id="calls", title="Calls", n=len(calls), as_of=utcnow(),
                       table=Table(columns=(), rows=()))]
    return Dashboard(slug="cache-probe", title=lambda: "Cache probe", build=build)


def test_same_scope_and_filters_share_a_build_within_the_ttl(app, make_user):
    app.config["ANALYTICS_CACHE_SECONDS"] = 300
    framework._built.entries.clear()
    calls: list[str] = []
    dashboard = _counting_dashboard(calls)
    first_bi = make_user(Role.FOCAL_POINT, focal_countries=["BI"])
    second_bi = make_user(Role.FOCAL_POINT, focal_countries=["BI"])
    rwanda = make_user(Role.FOCAL_POINT, focal_countries=["RW"])
    with app.test_request_context():
        viewers = [db.session.get(User, person.id) for person in (first_bi, second_bi, rwanda)]
        one = build_cached(dashboard, viewers[0], Filters())
        two = build_cached(dashboard, viewers[1], Filters())  # same countries: same figures
        other = build_cached(dashboard, viewers[2], Filters())  # other country: own build
        filtered = build_cached(dashboard, viewers[0], Filters(cohort_id=3))
    assert one is two
    assert other is not one and filtered is not one
    assert calls == [first_bi.email, rwanda.email, first_bi.email]


def test_without_a_ttl_every_request_builds(app, make_user):
    app.config["ANALYTICS_CACHE_SECONDS"] = 0
    calls: list[str] = []
    dashboard = _counting_dashboard(calls)
    admin = make_user(Role.ADMIN)
    with app.test_request_context():
        viewer = db.session.get(User, admin.id)
        build_cached(dashboard, viewer, Filters())
        build_cached(dashboard, viewer, Filters())
    assert len(calls) == 2
