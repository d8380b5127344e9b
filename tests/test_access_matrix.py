"""The role matrix: every route × every role gets the expected status.

The table below must list every endpoint and method of ``app.url_map``: a new route
without an entry here fails the suite, and a route without an access rule is refused
(deny by default) and fails here too.
"""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask

from learning.accounts.models import Role
from learning.assessments.models import Attempt, Purpose
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.db import db
from learning.plans.models import ActionPlanItem, PlanFunction
from tests.conftest import BrowserLikeClient, sign_in

ROLES = ["anonymous", "participant", "facilitator", "focal_point", "coordinator", "admin"]
LOGIN = 302  # anonymous people are sent to the sign-in page


def expect(anonymous: int, participant: int, facilitator: int, focal_point: int,
           coordinator: int, admin: int) -> dict[str, int]:
    return dict(zip(ROLES, [anonymous, participant, facilitator, focal_point, coordinator, admin],
                    strict=True))


EVERYONE_200 = expect(200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = expect(LOGIN, 200, 200, 200, 200, 200)
ADMIN_ONLY_200 = expect(LOGIN, 403, 403, 403, 403, 200)
MANAGERS_200 = expect(LOGIN, 403, 200, 403, 403, 200)

EXPECTED: dict[tuple[str, str], dict[str, int]] = {
    ("core.home", "GET"): EVERYONE_200,
    ("core.healthz", "GET"): EVERYONE_200,
    ("i18n.switch_language", "POST"): expect(302, 302, 302, 302, 302, 302),
    ("accounts.login", "GET"): expect(200, 302, 302, 302, 302, 302),
    ("accounts.login", "POST"): expect(200, 302, 302, 302, 302, 302),
    ("accounts.logout", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("accounts.setup", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.setup", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.accept_invitation", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.accept_invitation", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.forgot_password", "GET"): EVERYONE_200,
    ("accounts.forgot_password", "POST"): EVERYONE_200,
    ("accounts.reset_password", "GET"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.reset_password", "POST"): expect(404, 404, 404, 404, 404, 404),
    ("accounts.profile", "GET"): SIGNED_IN_200,
    # Fields left out keep their saved values, so an empty post saves and redirects.
    ("accounts.profile", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("accounts.change_password", "GET"): SIGNED_IN_200,
    ("accounts.change_password", "POST"): SIGNED_IN_200,
    ("accounts.people", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("accounts.invite", "GET"): expect(LOGIN, 403, 200, 403, 200, 200),
    ("accounts.invite", "POST"): expect(LOGIN, 403, 200, 403, 200, 200),
    ("accounts.edit_person", "GET"): ADMIN_ONLY_200,
    ("accounts.edit_person", "POST"): ADMIN_ONLY_200,
    ("accounts.resend_invitation", "POST"): expect(LOGIN, 403, 403, 403, 403, 302),
    ("cohorts.index", "GET"): SIGNED_IN_200,
    ("cohorts.create", "GET"): ADMIN_ONLY_200,
    ("cohorts.create", "POST"): ADMIN_ONLY_200,
    ("cohorts.edit", "GET"): ADMIN_ONLY_200,
    ("cohorts.edit", "POST"): ADMIN_ONLY_200,
    ("cohorts.show", "GET"): SIGNED_IN_200,
    ("cohorts.enrol", "GET"): MANAGERS_200,
    ("cohorts.enrol", "POST"): MANAGERS_200,
    ("cohorts.change_status", "POST"): expect(LOGIN, 403, 302, 403, 403, 302),
    ("cohorts.import_people", "GET"): MANAGERS_200,
    ("cohorts.import_people", "POST"): MANAGERS_200,
    ("accounts.session_token", "GET"): SIGNED_IN_200,
    ("courses.my_learning", "GET"): SIGNED_IN_200,
    ("courses.resume", "GET"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.unit", "GET"): SIGNED_IN_200,
    ("courses.print_unit", "GET"): SIGNED_IN_200,
    ("courses.section", "GET"): SIGNED_IN_200,
    # An empty post (no client key) is refused as malformed, and saves nothing.
    ("courses.record_progress", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.reflection", "GET"): SIGNED_IN_200,
    ("courses.save_reflection", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("courses.content_image", "GET"): expect(LOGIN, 404, 404, 404, 404, 404),
    # Staff of the cohort: focal points and coordinators see their countries' rows only.
    ("courses.cohort_progress", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    ("courses.cohort_progress_csv", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    # The cohort's facilitators and admins; an empty post names no step: sent back, nothing sent.
    ("courses.cohort_reminders", "POST"): expect(LOGIN, 403, 302, 403, 403, 302),
    ("plans.my_plan", "GET"): SIGNED_IN_200,
    # An empty post names no module: refused as malformed, nothing stored.
    ("plans.create_item", "POST"): expect(LOGIN, 400, 400, 400, 400, 400),
    # The owner's empty post keeps every stored field and saves; others do not find the item.
    ("plans.update_item", "POST"): expect(LOGIN, 302, 404, 404, 404, 404),
    ("plans.print_plan", "GET"): SIGNED_IN_200,
    ("plans.plan_pdf", "GET"): SIGNED_IN_200,
    # Facilitators of the participant's cohort, and admins (read only); nobody else finds it.
    ("plans.participant_plan", "GET"): expect(LOGIN, 404, 200, 404, 404, 200),
    # Only those facilitators comment; their empty post has no client key: malformed.
    ("plans.add_comment", "POST"): expect(LOGIN, 404, 400, 404, 404, 404),
    ("notifications.inbox", "GET"): SIGNED_IN_200,
    ("notifications.mark_read", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    ("notifications.outbox", "GET"): ADMIN_ONLY_200,
    ("audit.audit_log", "GET"): ADMIN_ONLY_200,
    ("assessments.index", "GET"): SIGNED_IN_200,
    # The module 1 quiz is open to anyone signed in; the participant resumes their attempt.
    ("assessments.take", "GET"): SIGNED_IN_200,
    ("assessments.start", "POST"): expect(LOGIN, 302, 302, 302, 302, 302),
    # The participant's own attempt: an empty post has no client key (malformed); a
    # submission without the required answers shows the questions again; an open attempt
    # has no result yet. Nobody else finds the attempt.
    ("assessments.save_answer", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("assessments.save_answers", "POST"): expect(LOGIN, 400, 404, 404, 404, 404),
    ("assessments.submit", "POST"): expect(LOGIN, 200, 404, 404, 404, 404),
    ("assessments.result", "GET"): expect(LOGIN, 302, 404, 404, 404, 404),
    # Staff whose scope covers the cohort; focal points and coordinators get aggregates only.
    ("assessments.cohort_results", "GET"): expect(LOGIN, 403, 200, 200, 200, 200),
    # Nobody in the matrix's cohort has taken a test: there is no table to export.
    ("assessments.results_csv", "GET"): expect(LOGIN, 403, 404, 404, 404, 404),
    ("assessments.results_xlsx", "GET"): expect(LOGIN, 403, 404, 404, 404, 404),
}


@pytest.fixture
def world(app: Flask, make_user):  # type: ignore[no-untyped-def]
    people = {
        "participant": make_user(Role.PARTICIPANT, country="BI"),
        "facilitator": make_user(Role.FACILITATOR, country=None),
        "focal_point": make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]),
        "coordinator": make_user(Role.COORDINATOR, country="BI"),
        "admin": make_user(Role.ADMIN, country=None),
    }
    with app.app_context():
        cohort = Cohort(name="Bujumbura ToT", slug="bujumbura", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), countries=[CohortCountry(country_code="BI")],
                        facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        db.session.add(cohort)
        db.session.flush()
        enrolment = Enrolment(cohort_id=cohort.id, user_id=people["participant"].id)
        item = ActionPlanItem(user_id=people["participant"].id, client_key="matrix-item",
                              unit_id="module-1-defining-supervision",
                              function=PlanFunction.SUPPORTIVE, action="Protect supervision time")
        attempt = Attempt(user_id=people["participant"].id, cohort_id=cohort.id,
                          bank_id="quiz-module-1", purpose=Purpose.QUIZ, number=1,
                          open_key=f"{people['participant'].id}:quiz-module-1:quiz")
        db.session.add_all([enrolment, item, attempt])
        db.session.commit()
        ids = {"cohort_id": cohort.id, "enrolment_id": enrolment.id,
               "user_id": people["participant"].id, "token": "not-a-real-token",
               "unit_id": "module-1-defining-supervision", "section_id": "m1-introduction",
               "reflection_id": "m1-r-timeline", "filename": "no-such-image.png",
               "item_id": item.id, "bank_id": "quiz-module-1", "purpose": "quiz",
               "attempt_id": attempt.id, "question_id": "m1-q01"}
    return people, ids


def _route_methods(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    # Signing out ends the session the other checks rely on: try it last.
    return sorted(routes, key=lambda route: route[0] == "accounts.logout")


def test_every_route_has_an_expected_status(app: Flask) -> None:
    missing = [(endpoint, method) for endpoint, method, _ in _route_methods(app)
               if (endpoint, method) not in EXPECTED]
    assert missing == [], f"routes without an entry in the role matrix: {missing}"
    stale = set(EXPECTED) - {(endpoint, method) for endpoint, method, _ in _route_methods(app)}
    assert stale == set(), f"role-matrix entries for routes that no longer exist: {stale}"


def test_every_view_declares_an_access_rule(app: Flask) -> None:
    unguarded = [endpoint for endpoint, view in app.view_functions.items()
                 if endpoint != "static" and not hasattr(view, "access_rule")]
    assert unguarded == []


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app: Flask, world, role: str) -> None:  # type: ignore[no-untyped-def]
    people, ids = world
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    if role != "anonymous":
        assert sign_in(client, people[role]).status_code == 302
    failures = []
    for endpoint, method, rule in _route_methods(app):
        url = rule
        for name, value in ids.items():
            for pattern in (f"<int:{name}>", f"<path:{name}>", f"<{name}>"):
                url = url.replace(pattern, str(value))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": client.token()})
        expected = EXPECTED[(endpoint, method)][role]
        if response.status_code != expected:
            failures.append(f"{method} {url}: expected {expected}, got {response.status_code}")
    assert failures == []
