"""xAPI intake: statements from an authoring tool count as pre-course work done in Tandem."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import Role, User
from learning.analytics.framework import DASHBOARDS, Filters
from learning.api.tokens import create_token
from learning.api.xapi_models import XapiOutcome, XapiStatement
from learning.audit.models import AuditEvent
from learning.cohorts.models import Cohort, CohortCountry, Enrolment
from learning.courses import cohort_progress, steps
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db

PART_1 = "precourse-1-case-management"
PART_2 = "precourse-2-supervision-introduction"
COURSE_IRI = "https://share.easygenerator.com/6c1f2a9e-case-management"
URL = "/api/v1/xapi/statements"
VERSION = {"X-Experience-API-Version": "1.0.3"}
COMPLETED_AT = "2025-01-18T14:02:11.000Z"


def easygenerator_statement(verb: str, email: str, **changes: Any) -> dict[str, Any]:
    """A statement shaped like Easygenerator's: course-level result with score and success."""
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "Alice Bizimana", "mbox": f"mailto:{email}"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity", "id": COURSE_IRI,
            "definition": {"name": {"en-US": "Case management for supervisors"},
                           "type": "http://adlnet.gov/expapi/activities/course"},
        },
        "result": {"score": {"scaled": 0.86, "raw": 86, "min": 0, "max": 100},
                   "success": verb != "failed", "completion": verb in ("completed", "passed"),
                   "duration": "PT42M10S"},
        "context": {"registration": "3e1b8c2a-5f0e-4d3c-9a41-7b2c9e0d1f22",
                    "extensions": {"http://easygenerator.com/expapi/course/id": "6c1f2a9e"}},
        "timestamp": COMPLETED_AT,
        "version": "1.0.0",
    }
    statement.update(changes)
    return statement


def answered_statement(email: str) -> dict[str, Any]:
    """An answer to one question of the course: kept for the record only."""
    return easygenerator_statement(
        "answered", email,
        object={"objectType": "Activity", "id": f"{COURSE_IRI}#objectives/o1/questions/q3",
                "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                               "interactionType": "choice"}},
        result={"success": True, "response": "b"},
        context={"contextActivities": {"parent": [{"id": COURSE_IRI}]}})


@pytest.fixture
def programme(app: Flask, make_user):  # type: ignore[no-untyped-def]
    """A cohort with one participant, an integration admin with a token, a participant token."""
    app.config["XAPI_ACTIVITY_MAP"] = {COURSE_IRI: PART_1}
    integration = make_user(Role.ADMIN, email="easygenerator@example.org", country=None)
    participant = make_user(Role.PARTICIPANT, email="alice.bizimana@example.org")
    with app.app_context():
        cohort = Cohort(name="ToT Bujumbura", slug="bujumbura", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6), precourse_deadline=date(2030, 2, 20),
                        countries=[CohortCountry(country_code="BI")])
        db.session.add(cohort)
        db.session.flush()
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=participant.id))
        _token, admin_secret = create_token(db.session.get(User, integration.id), "Easygenerator")
        _token, participant_secret = create_token(db.session.get(User, participant.id), "mine")
        db.session.commit()
        cohort_id = cohort.id
    return {"cohort_id": cohort_id, "participant": participant, "admin": integration,
            "secret": admin_secret, "participant_secret": participant_secret}


def basic(secret: str, username: str = "easygenerator") -> dict[str, str]:
    credentials = base64.b64encode(f"{username}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}", **VERSION}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **VERSION}


def post(client, headers: dict[str, str], body: Any):  # type: ignore[no-untyped-def]
    return client.post(URL, data=json.dumps(body), headers=headers,
                       content_type="application/json")


def done_units(app: Flask, user_id: int) -> set[str]:
    with app.app_context():
        catalogue = get_catalogue()
        return {step.id for step in steps.course_steps(catalogue)
                if step.unit is not None and user_id in steps.completed_by(catalogue, step,
                                                                           [user_id])}


def progress_row_done(app: Flask, admin_id: int, cohort_id: int, user_id: int) -> frozenset[str]:
    """What the cohort progress table shows as done for the person."""
    with app.test_request_context():
        table = cohort_progress.cohort_progress(
            db.session.get(User, admin_id), db.session.get(Cohort, cohort_id), get_catalogue(),
            cohort_progress.Filters(), "en")
        return next(row.done for row in table.rows if row.user_id == user_id)


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count(XapiStatement.id))) or 0,
                db.session.scalar(select(func.count(SectionProgress.id))) or 0,
                db.session.scalar(select(func.count(AuditEvent.id))) or 0)


def test_easygenerator_completion_counts_as_the_unit_done(app: Flask, client, programme) -> None:
    participant = programme["participant"]
    email = "Alice.Bizimana@Example.org"  # mbox case differs from the account's
    batch = [answered_statement(email),
             easygenerator_statement("progressed", email),
             easygenerator_statement("passed", email)]
    assert PART_1 not in progress_row_done(app, programme["admin"].id, programme["cohort_id"],
                                           participant.id)

    response = post(client, basic(programme["secret"]), batch)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == [statement["id"] for statement in batch]
    assert response.headers["X-Experience-API-Version"].startswith("1.0")
    assert done_units(app, participant.id) == {PART_1}
    assert PART_1 in progress_row_done(app, programme["admin"].id, programme["cohort_id"],
                                       participant.id)
    with app.app_context():
        completed = set(db.session.scalars(select(SectionProgress.completed_at).where(
            SectionProgress.user_id == participant.id)))
        assert completed == {datetime(2025, 1, 18, 14, 2, 11, tzinfo=UTC)}
        outcomes = {statement_id: outcome for statement_id, outcome in db.session.execute(
            select(XapiStatement.statement_id, XapiStatement.outcome))}
        assert outcomes == {batch[0]["id"]: XapiOutcome.RECORDED,
                            batch[1]["id"]: XapiOutcome.RECORDED,
                            batch[2]["id"]: XapiOutcome.APPLIED}
        units = {statement_id: unit_id for statement_id, unit_id in db.session.execute(
            select(XapiStatement.statement_id, XapiStatement.unit_id))}
        assert units[batch[0]["id"]] == PART_1  # the answered question's course
        stored = db.session.scalar(select(XapiStatement.statement)
                                   .where(XapiStatement.statement_id == batch[2]["id"]))
        assert stored["result"]["score"]["scaled"] == 0.86


def test_the_cohort_progress_page_shows_the_part_done(app: Flask, client, programme,
                                                      login) -> None:  # type: ignore[no-untyped-def]
    login(programme["admin"])
    before = client.get(f"/cohorts/{programme['cohort_id']}/progress").get_data(as_text=True)
    assert post(client, bearer(programme["secret"]),
                easygenerator_statement("completed", "alice.bizimana@example.org")
                ).status_code == 200
    after = client.get(f"/cohorts/{programme['cohort_id']}/progress").get_data(as_text=True)
    # The participant's row says "Yes" for one more step.
    assert after.count("<td>Yes</td>") == before.count("<td>Yes</td>") + 1


def funnel_part_1_done(app: Flask, admin_id: int, cohort_id: int) -> int:
    """The "Pre-course part 1" count of the cohort on the pre-course funnel dashboard."""
    with app.test_request_context():
        admin = db.session.get(User, admin_id)
        assert admin is not None
        figure = next(figure for figure in DASHBOARDS["precourse"].build(
            admin, Filters(cohort_id=cohort_id)) if figure.id == "precourse-funnel")
        column = next(column.key for column in figure.table.columns
                      if column.label == "Pre-course part 1")
        return int(figure.table.rows[-1][column])


def test_the_precourse_funnel_counts_the_part(app: Flask, client, programme) -> None:
    before = funnel_part_1_done(app, programme["admin"].id, programme["cohort_id"])
    assert post(client, basic(programme["secret"]),
                easygenerator_statement("passed", "alice.bizimana@example.org")
                ).status_code == 200
    assert before == 0
    assert funnel_part_1_done(app, programme["admin"].id, programme["cohort_id"]) == 1


def test_put_with_statement_id_and_bearer_token(app: Flask, client, programme) -> None:
    statement = easygenerator_statement("completed", "alice.bizimana@example.org")
    statement_id = statement.pop("id")
    response = client.put(f"{URL}?statementId={statement_id}", data=json.dumps(statement),
                          headers=bearer(programme["secret"]), content_type="application/json")
    assert response.status_code == 204
    assert done_units(app, programme["participant"].id) == {PART_1}
    with app.app_context():
        assert db.session.scalar(select(XapiStatement.statement_id)) == statement_id


def test_replaying_a_statement_creates_nothing_new(app: Flask, client, programme) -> None:
    batch = [easygenerator_statement("passed", "alice.bizimana@example.org"),
             answered_statement("alice.bizimana@example.org")]
    first = post(client, basic(programme["secret"]), batch)
    before = counts(app)

    again = post(client, basic(programme["secret"]), batch)
    # An LRS sets these; a replay through another LRS differs only there.
    relayed = [{**statement, "stored": "2030-01-19T00:00:00Z", "version": "1.0.3"}
               for statement in batch]
    relayed_answer = post(client, basic(programme["secret"]), relayed)

    assert again.status_code == relayed_answer.status_code == first.status_code == 200
    assert again.get_json() == relayed_answer.get_json() == first.get_json()
    assert counts(app) == before


def test_same_id_with_other_content_is_a_conflict(app: Flask, client, programme) -> None:
    failed = easygenerator_statement("failed", "alice.bizimana@example.org")
    assert post(client, basic(programme["secret"]), failed).status_code == 200
    before = counts(app)
    rewritten = {**copy.deepcopy(failed), "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"}}
    newcomer = easygenerator_statement("passed", "alice.bizimana@example.org")

    response = post(client, basic(programme["secret"]), [newcomer, rewritten])

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["statement_id"] == failed["id"]
    # The whole batch was refused: the newcomer is not stored and nothing was completed.
    assert counts(app) == before
    assert done_units(app, programme["participant"].id) == set()


def test_unknown_person_or_course_is_kept_unmatched(app: Flask, client, programme) -> None:
    stranger = easygenerator_statement("completed", "someone.else@example.org")
    other_course = easygenerator_statement(
        "completed", "alice.bizimana@example.org",
        object={"objectType": "Activity", "id": "https://share.easygenerator.com/unknown"})
    known = easygenerator_statement("completed", "alice.bizimana@example.org")

    response = post(client, basic(programme["secret"]), [stranger, other_course, known])

    assert response.status_code == 200
    assert done_units(app, programme["participant"].id) == {PART_1}
    listing = client.get("/api/v1/xapi/unmatched",
                         headers={"Authorization": f"Bearer {programme['secret']}"})
    assert listing.status_code == 200
    items = {item["statement_id"]: item for item in listing.get_json()["items"]}
    assert set(items) == {stranger["id"], other_course["id"]}
    assert items[stranger["id"]]["reason"] == "actor"
    assert items[stranger["id"]]["actor"] == "someone.else@example.org"
    assert items[other_course["id"]]["reason"] == "activity"
    assert listing.get_json()["total"] == 2


def test_activity_map_from_a_yaml_file(app: Flask, client, programme, tmp_path: Path) -> None:
    part_2_iri = "https://share.easygenerator.com/supervision-introduction/"
    map_file = tmp_path / "xapi-map.yaml"
    map_file.write_text(f'"{part_2_iri}": {PART_2}\n', encoding="utf-8")
    app.config["XAPI_MAP_PATH"] = str(map_file)
    statement = easygenerator_statement(
        "passed", "alice.bizimana@example.org",
        object={"objectType": "Activity", "id": part_2_iri.rstrip("/")})
    assert post(client, basic(programme["secret"]), statement).status_code == 200
    assert done_units(app, programme["participant"].id) == {PART_2}


def test_an_earlier_completion_in_tandem_is_kept(app: Flask, client, programme) -> None:
    participant = programme["participant"]
    earlier = datetime(2025, 1, 2, 8, tzinfo=UTC)
    with app.app_context():
        unit = get_catalogue().unit(PART_1)
        assert unit is not None
        first = unit.visible_sections(include_facilitator_notes=False)[0]
        db.session.add(SectionProgress(user_id=participant.id, unit_id=PART_1,
                                       section_id=first.id, content_version=first.version,
                                       opened_at=earlier, last_seen_at=earlier,
                                       completed_at=earlier))
        db.session.commit()
    assert post(client, basic(programme["secret"]),
                easygenerator_statement("passed", "alice.bizimana@example.org")
                ).status_code == 200
    with app.app_context():
        kept = db.session.scalar(select(SectionProgress.completed_at).where(
            SectionProgress.user_id == participant.id, SectionProgress.section_id == first.id))
        assert kept == earlier


def test_failed_is_recorded_without_completing(app: Flask, client, programme) -> None:
    assert post(client, basic(programme["secret"]),
                easygenerator_statement("failed", "alice.bizimana@example.org")
                ).status_code == 200
    assert done_units(app, programme["participant"].id) == set()
    with app.app_context():
        assert db.session.scalar(select(XapiStatement.outcome)) == XapiOutcome.RECORDED


def test_without_a_token_the_answer_is_401(app: Flask, client, programme) -> None:
    statement = easygenerator_statement("passed", "alice.bizimana@example.org")
    for headers in (VERSION, basic("tdm_not-a-real-token"), bearer("wrong")):
        response = post(client, headers, statement)
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
        assert "Basic" in response.headers["WWW-Authenticate"]
    assert counts(app)[0] == 0


def test_a_participant_token_is_refused(app: Flask, client, programme) -> None:
    response = post(client, basic(programme["participant_secret"]),
                    easygenerator_statement("passed", "alice.bizimana@example.org"))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    assert done_units(app, programme["participant"].id) == set()
    listing = client.get("/api/v1/xapi/unmatched",
                         headers={"Authorization": f"Bearer {programme['participant_secret']}"})
    assert listing.status_code == 403


@pytest.mark.parametrize("body, headers_without_version", [
    (b'{"actor": {"mbox": "mailto:a@example.org"}, "verb": ', False),  # truncated JSON
    (b"[]", False),  # an empty batch
    (b'{"actor": {}, "object": {"id": "https://x"}}', False),  # no verb
    (b'{"id": "not-a-uuid", "actor": {}, "verb": {"id": "v"}, "object": {"id": "o"}}', False),
    (b'{"actor": {}, "verb": {"id": "v"}, "object": {"id": "o"}}', True),  # no version header
])
def test_malformed_requests_are_400_problems(app: Flask, client, programme, body: bytes,
                                             headers_without_version: bool) -> None:
    headers = basic(programme["secret"])
    if headers_without_version:
        del headers["X-Experience-API-Version"]
    response = client.post(URL, data=body, headers=headers, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 400
    assert counts(app)[0] == 0


def test_an_invalid_statement_refuses_the_whole_batch(app: Flask, client, programme) -> None:
    good = easygenerator_statement("passed", "alice.bizimana@example.org")
    bad = easygenerator_statement("passed", "alice.bizimana@example.org", timestamp="yesterday")
    response = post(client, basic(programme["secret"]), [good, bad])
    assert response.status_code == 400
    assert response.get_json()["statement_index"] == 1
    assert counts(app)[0] == 0
    assert done_units(app, programme["participant"].id) == set()
