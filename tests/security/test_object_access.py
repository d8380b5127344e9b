"""Object-level access beyond the role matrix: a focal point of another country, ids
swapped in the path, the query and duplicated parameters, a scope removed while signed
in, and fields a participant must not be able to set."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts import services as accounts
from learning.accounts.models import Role, User
from learning.db import db
from tests.conftest import BrowserLikeClient, sign_in
from tests.test_access_matrix import world  # noqa: F401  (fixture)

MISSING = 2_000_000  # an id no object has


def _client(app: Flask, person: User) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(client, person).status_code == 302
    return client


def _objects(ids: dict[str, object]) -> list[str]:
    """Pages of one "BI" object each: path templates with {id} for the swapped id."""
    return [
        f"/certificates/{{id}}.pdf|{ids['certificate_id']}",
        f"/certificates/{{id}}|{ids['certificate_id']}",
        f"/reports/{{id}}|{ids['report_id']}",
    ]


def test_a_focal_point_of_another_country_gets_what_a_missing_object_gets(
        app: Flask, world, make_user) -> None:  # noqa: F811
    people, ids = world
    congo = make_user(Role.FOCAL_POINT, country=None, focal_countries=["CD"])
    own = _client(app, people["focal_point"])
    other = _client(app, congo)
    for entry in _objects(ids):
        template, object_id = entry.split("|")
        allowed = own.get(template.format(id=object_id))
        foreign = other.get(template.format(id=object_id))
        missing = other.get(template.format(id=MISSING))
        assert allowed.status_code == 200, template
        assert foreign.status_code == missing.status_code == 404, template
        # Same page but for the address itself (the language switch returns to it).
        assert foreign.get_data(as_text=True).replace(template.format(id=object_id), "?") == \
            missing.get_data(as_text=True).replace(template.format(id=MISSING), "?"), template


@pytest.mark.parametrize("query", [
    "?country=BI", "?country=CD&country=BI", "?country=BI&country=CD",
    "?cohort={cohort}&cohort={cohort}", "?country=bi",
])
def test_swapped_and_duplicated_filters_never_widen_a_scope(
        app: Flask, world, make_user, query: str) -> None:  # noqa: F811
    people, ids = world
    congo = make_user(Role.FOCAL_POINT, country=None, focal_countries=["CD"])
    client = _client(app, congo)
    page = client.get("/analytics/precourse" + query.format(cohort=ids["cohort_id"]))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    # The Burundi participant is in the matrix's cohort; a Congo focal point counts nobody.
    assert "n = 0" in text and "n = 1" not in text
    listed = client.get("/certificates.csv" + query.format(cohort=ids["cohort_id"]))
    assert people["participant"].name not in listed.get_data(as_text=True)


def test_removing_a_focal_points_country_takes_effect_on_the_next_request(
        app: Flask, world) -> None:  # noqa: F811
    people, ids = world
    client = _client(app, people["focal_point"])
    report = f"/reports/{ids['report_id']}"
    assert client.get(report).status_code == 200
    with app.app_context():
        admin = db.session.get(User, people["admin"].id)
        focal = db.session.get(User, people["focal_point"].id)
        accounts.update_role_and_scope(admin, focal, Role.FOCAL_POINT, ["CD"], None, True)
        db.session.commit()
    assert client.get(report).status_code == 404
    assert client.get(f"/certificates/{ids['certificate_id']}").status_code == 404


def test_a_participant_cannot_set_role_country_score_or_activity(app: Flask, world) -> None:  # noqa: F811
    people, ids = world
    participant = people["participant"]
    client = _client(app, participant)
    client.submit("/account", {"name": "Aline", "language": "en", "role": "admin",
                               "country_code": "CD", "country": "CD", "is_active": "n",
                               "focal_countries": "CD", "score": "100"})
    client.post(f"/assessments/attempts/{ids['attempt_id']}/answers",
                data={"csrf_token": client.token(), "key": "mass-assign-1", "score": "100",
                      "percent": "100", "passed": "y", "status": "submitted"})
    with app.app_context():
        stored = db.session.get(User, participant.id)
        assert (stored.role, stored.country_code, stored.is_active) == (
            Role.PARTICIPANT, "BI", True)
        assert stored.focal_country_codes == []
        from learning.assessments.models import Attempt

        attempt = db.session.get(Attempt, ids["attempt_id"])
        assert attempt.score is None and attempt.status.value == "open"
    assert client.get("/people").status_code == 403


def test_the_last_admin_cannot_remove_their_own_rights(app: Flask, world) -> None:  # noqa: F811
    people, _ids = world
    admin = people["admin"]
    client = _client(app, admin)
    for change in ({"role": "participant", "is_active": "y"}, {"role": "admin"}):
        client.submit(f"/people/{admin.id}", change)  # without is_active: deactivation
        with app.app_context():
            stored = db.session.get(User, admin.id)
            assert stored.role == Role.ADMIN and stored.is_active
    with app.app_context():
        admins = db.session.scalars(select(User).where(User.role == Role.ADMIN,
                                                       User.is_active.is_(True))).all()
        assert [person.id for person in admins] == [admin.id]
