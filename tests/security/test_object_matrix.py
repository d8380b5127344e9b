"""The object-level access policy: who may read, list, export, edit and approve which
record, for the viewer's own record, a record of the same country and one of another
country.

Viewers are the issue's seven: anonymous, the participant "own" (Burundi), the cohort's
facilitator, the focal point of Burundi (A), the focal point of DR Congo (B), Burundi's
coordinator and an admin. Each record type exists three times in one cohort covering both
countries: the participant's own, a Burundian teammate's ("same") and a Congolese
participant's ("other"); country records (roll-out plans, applications) exist for Burundi
("own") and DR Congo ("other").

Cells of the policy table:
- a status: the page answers with it (302 "L" for anonymous is the sign-in redirect);
  a refusal of a record the viewer may not see answers exactly like a record that does
  not exist;
- "Y"/"N": a list or export (answering 200) shows or does not show the record;
- "ok": the write is applied; any other status: refused and the record is unchanged.

Write bodies are taken from the form as the page shows it to someone allowed to use it
(as a browser would send it), then posted by each viewer with their own CSRF token.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from learning.accounts.models import OrganisationType, Role, User
from learning.assessments.models import Answer, Attempt, AttemptStatus, Purpose
from learning.certificates import services as certificates
from learning.certificates.models import Certificate
from learning.cohorts.application_models import (
    ApplicationAgency,
    CountryApplication,
    Nominee,
)
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment
from learning.db import db
from learning.plans.country_models import (
    BudgetLine,
    CountryPlan,
    CountryPlanActivity,
    CountryPlanStatus,
    PlanRisk,
)
from learning.plans.models import ActionPlanItem, PlanComment, PlanFunction
from learning.rollout.models import ReportStatus, Training, TrainingReport
from tests.conftest import BrowserLikeClient, sign_in
from tests.html_forms import FormReader, read_form
from tests.test_access_matrix import _country_plan

VIEWERS = ["anonymous", "participant", "facilitator", "focal_a", "focal_b", "coordinator",
           "admin"]
RELATIONS = ("own", "same", "other")
COUNTRY_RELATIONS = ("own", "other")  # Burundi's record, DR Congo's record
MISSING = 2_000_000  # no record has this id
CSRF_VALUE = re.compile(r'name="csrf_token" value="[^"]*"')


# --- the world --------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, User]
    cohort_id: int
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> relation -> id
    owners: dict[str, User] = field(default_factory=dict)  # relation -> participant

    def id(self, kind: str, relation: str) -> int:
        return self.ids[kind][relation]


def _participant(make_user, tag: str, country: str) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.PARTICIPANT, country=country, name=f"Participant {tag.title()}",
                     email=f"{tag}.participant@example.org")


@pytest.fixture
def two_countries(app: Flask, make_user, monkeypatch) -> World:  # type: ignore[no-untyped-def]
    # Who may download a certificate is the question here, not its layout (tested in
    # tests/certificates): skip rendering nine PDFs per test.
    monkeypatch.setattr("learning.certificates.document.render_certificate_pdf",
                        lambda certificate: f"%PDF-1.7 certificate {certificate.id}".encode())
    people = {
        "participant": _participant(make_user, "own", "BI"),
        "same": _participant(make_user, "same", "BI"),
        "other": _participant(make_user, "other", "CD"),
        "facilitator": make_user(Role.FACILITATOR, country=None),
        "focal_a": make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]),
        "focal_b": make_user(Role.FOCAL_POINT, country=None, focal_countries=["CD"]),
        "coordinator": make_user(Role.COORDINATOR, country="BI"),
        "coordinator_cd": make_user(Role.COORDINATOR, country="CD"),
        "admin": make_user(Role.ADMIN, country=None),
    }
    owners = {"own": people["participant"], "same": people["same"], "other": people["other"]}
    with app.app_context():
        cohort = Cohort(name="Great Lakes ToT", slug="great-lakes", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code="BI"),
                                   CohortCountry(country_code="CD")],
                        facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        db.session.add(cohort)
        db.session.flush()
        world = World(people, cohort.id, owners=owners)
        for relation, owner in owners.items():
            _records_of(world, cohort, relation, owner)
        admin = db.session.get(User, people["admin"].id)
        for relation, owner in owners.items():
            certificate = certificates.issue_manually(
                admin, db.session.get(User, owner.id), cohort, "Object matrix")
            world.ids.setdefault("certificate", {})[relation] = certificate.id
        for relation, (country, author, coordinator) in {
                "own": ("BI", owners["own"], people["coordinator"]),
                "other": ("CD", owners["other"], people["coordinator_cd"])}.items():
            plan_ids = _country_plan(cohort, db.session.get(User, author.id), country)
            for name in ("activity_id", "line_id", "risk_id"):
                world.ids.setdefault(name, {})[relation] = plan_ids[name]
            world.ids.setdefault("plan", {})[relation] = db.session.scalar(
                select(CountryPlan.id).where(CountryPlan.country_code == country))
            application = CountryApplication(
                country_code=country, coordinator_id=coordinator.id, language="en", version=1,
                part_versions={},
                agencies=[ApplicationAgency(name=f"Agency {relation}",
                                            organisation_type=OrganisationType.NATIONAL_NGO)],
                nominees=[Nominee(name=f"Nominee {relation}", email=f"n-{relation}@example.org",
                                  organisation="Ministère", title="Directrice",
                                  organisation_type=OrganisationType.GOVERNMENT)])
            db.session.add(application)
            db.session.flush()
            world.ids.setdefault("application", {})[relation] = application.id
            world.ids.setdefault("agency", {})[relation] = application.agencies[0].id
            world.ids.setdefault("nominee", {})[relation] = application.nominees[0].id
        db.session.commit()
    return world


def _records_of(world: World, cohort: Cohort, relation: str, owner: User) -> None:
    """One participant's enrolment, plan item, quiz attempts (one submitted, one open) and
    trainings (a draft, and one whose report waits for review)."""
    country = owner.country_code or ""
    enrolment = Enrolment(cohort_id=cohort.id, user_id=owner.id)
    item = ActionPlanItem(user_id=owner.id, client_key=f"object-matrix-{relation}",
                          unit_id="module-1-defining-supervision",
                          function=PlanFunction.SUPPORTIVE, action=f"Item of {relation}")
    submitted = Attempt(user_id=owner.id, cohort_id=cohort.id, bank_id="quiz-module-1",
                        purpose=Purpose.QUIZ, number=1, status=AttemptStatus.SUBMITTED,
                        submitted_at=datetime(2030, 3, 3, tzinfo=UTC), score=3, max_score=4,
                        percent=75.0, passed=True)
    open_attempt = Attempt(user_id=owner.id, cohort_id=cohort.id, bank_id="quiz-module-1",
                           purpose=Purpose.QUIZ, number=2,
                           open_key=f"{owner.id}:quiz-module-1:quiz")
    draft = Training(cohort_id=cohort.id, country_code=country, trainer_id=owner.id,
                     region_city=f"Draft-{relation}",
                     report=TrainingReport(status=ReportStatus.DRAFT))
    in_review = Training(cohort_id=cohort.id, country_code=country, trainer_id=owner.id,
                         region_city=f"Review-{relation}", start_date=date(2030, 4, 6),
                         end_date=date(2030, 4, 8), days=3,
                         report=TrainingReport(status=ReportStatus.SUBMITTED,
                                               submitted_at=datetime(2030, 5, 1, tzinfo=UTC)))
    # The knowledge test before and after: what the cohort's results table and export show.
    tests = [Attempt(user_id=owner.id, cohort_id=cohort.id, bank_id="knowledge-test",
                     purpose=purpose, number=1, status=AttemptStatus.SUBMITTED, score=score,
                     max_score=10.0, submitted_at=datetime(2030, 3, 2, tzinfo=UTC))
             for purpose, score in ((Purpose.PRE, 4.0), (Purpose.POST, 8.0))]
    db.session.add_all([enrolment, item, submitted, open_attempt, draft, in_review, *tests])
    db.session.flush()
    for kind, record_id in {"enrolment": enrolment.id, "item": item.id,
                            "attempt": submitted.id, "open_attempt": open_attempt.id,
                            "training": draft.id, "report": in_review.report.id,
                            "user": owner.id}.items():
        world.ids.setdefault(kind, {})[relation] = record_id


# --- clients and forms ------------------------------------------------------------------


def _client(app: Flask, world: World, viewer: str) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    if viewer != "anonymous":
        assert sign_in(client, world.people[viewer]).status_code == 302
        client.get("/")  # the welcome message is shown once, here
    return client


def form_on(client: BrowserLikeClient, page: str, action: str) -> FormReader:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    return read_form(response.get_data(as_text=True), action)


def _body(reader: FormReader, changes: dict[str, Any], token: str) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, value in reader.fields:
        body.setdefault(name, []).append(value)
    for name, value in changes.items():
        body[name] = value(reader) if callable(value) else value
    body["csrf_token"] = token
    return body


# --- the policy table ---------------------------------------------------------------------


def _cells(row: str) -> list[str]:
    return row.split()


@dataclass(frozen=True)
class Page:
    """A read, list or export: the URL for a relation and, for lists, what marks it."""

    kind: str
    action: str
    url: Callable[[World, str], str]
    expected: dict[str, str]
    marker: Callable[[World, str], str] | None = None
    relations: tuple[str, ...] = RELATIONS


@dataclass(frozen=True)
class Write:
    """An edit or an approval: the form (found on ``page`` as ``author`` sees it), the
    change it makes and how to read the stored value back."""

    kind: str
    action: str
    page: Callable[[World, str], str]
    target: Callable[[World, str], str]
    author: Callable[[World, str], str]
    changes: dict[str, Any]
    stored: Callable[[World, str], Any]
    expected: dict[str, str]
    relations: tuple[str, ...] = RELATIONS
    prepare: Callable[[World, str], None] | None = None


def _c(world: World) -> int:
    return world.cohort_id


def _plan_url(world: World, relation: str, tail: str = "") -> str:
    country = "BI" if relation == "own" else "CD"
    return f"/cohorts/{world.cohort_id}/countries/{country}/plan{tail}"


def _name(world: World, relation: str) -> str:
    return world.owners[relation].name


def _email(world: World, relation: str) -> str:
    return world.owners[relation].email


def _focal_of(_world: World, relation: str) -> str:
    return "focal_b" if relation == "other" else "focal_a"


def _owner_viewer(world: World, relation: str) -> str:
    return {"own": "participant", "same": "same", "other": "other"}[relation]


def _team_member(_world: World, relation: str) -> str:
    return "other" if relation == "other" else "participant"


def _coordinator_of(_world: World, relation: str) -> str:
    return "coordinator_cd" if relation == "other" else "coordinator"


def _value(model: type, column: Any, kind: str) -> Callable[[World, str], Any]:
    def read(world: World, relation: str) -> Any:
        return db.session.scalar(select(column).where(model.id == world.id(kind, relation)))
    return read


def _comments(world: World, relation: str) -> int:
    return db.session.scalar(select(func.count()).select_from(PlanComment).where(
        PlanComment.owner_id == world.id("user", relation))) or 0


def _answers(world: World, relation: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Answer).where(
        Answer.attempt_id == world.id("open_attempt", relation))) or 0


def _submit_plan(world: World, relation: str) -> None:
    plan = db.session.get(CountryPlan, world.id("plan", relation))
    plan.status = CountryPlanStatus.SUBMITTED
    db.session.commit()


#                       anonymous participant facilitator focal_a focal_b coordinator admin
PAGES = [
    # Training reports: the trainer, the country's focal point and coordinator, the
    # cohort's facilitators and admins read them; focal points and admins list and export.
    Page("report", "read", lambda w, r: f"/reports/{w.id('report', r)}", {
        "anonymous": "L L L", "participant": "200 404 404", "facilitator": "200 200 200",
        "focal_a": "200 200 404", "focal_b": "404 404 200", "coordinator": "200 200 404",
        "admin": "200 200 200"}),
    Page("report", "list", lambda w, r: "/reviews", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "403 403 403",
        "admin": "Y Y Y"}, marker=lambda w, r: f"Review-{r}"),
    Page("training", "list", lambda w, r: "/trainings", {
        "anonymous": "L L L", "participant": "Y N N", "facilitator": "N N N",
        "focal_a": "N N N", "focal_b": "N N N", "coordinator": "N N N", "admin": "N N N"},
        marker=lambda w, r: f"Draft-{r}"),
    Page("training", "export", lambda w, r: f"/cohorts/{_c(w)}/trainings.xlsx", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "403 403 403",
        "admin": "Y Y Y"}, marker=lambda w, r: f"Review-{r}"),
    # Certificates: the holder and the staff of the holder's country (and admins).
    Page("certificate", "read", lambda w, r: f"/certificates/{w.id('certificate', r)}", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "200 200 404", "focal_b": "404 404 200", "coordinator": "200 200 404",
        "admin": "200 200 200"}),
    Page("certificate", "read", lambda w, r: f"/certificates/{w.id('certificate', r)}.pdf", {
        "anonymous": "L L L", "participant": "200 404 404", "facilitator": "404 404 404",
        "focal_a": "200 200 404", "focal_b": "404 404 200", "coordinator": "200 200 404",
        "admin": "200 200 200"}),
    Page("certificate", "list", lambda w, r: "/certificates", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=_name),
    Page("certificate", "export", lambda w, r: "/certificates.csv", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=_name),
    # Individual action plans: the owner on their own page; the cohort's facilitators and
    # admins on the participant's plan page (read only for admins).
    Page("item", "read", lambda w, r: f"/cohorts/{_c(w)}/participants/{w.id('user', r)}/plan", {
        "anonymous": "L L L", "participant": "404 404 404", "facilitator": "200 200 200",
        "focal_a": "404 404 404", "focal_b": "404 404 404", "coordinator": "404 404 404",
        "admin": "200 200 200"}),
    Page("item", "list", lambda w, r: "/plan", {
        "anonymous": "L L L", "participant": "Y N N", "facilitator": "N N N",
        "focal_a": "N N N", "focal_b": "N N N", "coordinator": "N N N", "admin": "N N N"},
        marker=lambda w, r: f"Item of {r}"),
    Page("item", "export", lambda w, r: "/plan/print", {
        "anonymous": "L L L", "participant": "Y N N", "facilitator": "N N N",
        "focal_a": "N N N", "focal_b": "N N N", "coordinator": "N N N", "admin": "N N N"},
        marker=lambda w, r: f"Item of {r}"),
    # Quiz attempts: only their owner sees a result; the cohort's staff see the results
    # table, with names for facilitators and admins and aggregates for country staff.
    Page("attempt", "read", lambda w, r: f"/assessments/attempts/{w.id('attempt', r)}", {
        "anonymous": "L L L", "participant": "200 404 404", "facilitator": "404 404 404",
        "focal_a": "404 404 404", "focal_b": "404 404 404", "coordinator": "404 404 404",
        "admin": "404 404 404"}),
    Page("attempt", "list", lambda w, r: f"/cohorts/{_c(w)}/results", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "Y Y Y",
        "focal_a": "N N N", "focal_b": "N N N", "coordinator": "N N N", "admin": "Y Y Y"},
        marker=_name),
    Page("attempt", "export", lambda w, r: f"/cohorts/{_c(w)}/results.csv", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "Y Y Y",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=lambda w, r: "Congo" if r == "other" else "Burundi"),
    # People and enrolments: each viewer's scope.
    Page("person", "list", lambda w, r: "/people", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "Y Y Y",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=_email),
    Page("person", "read", lambda w, r: f"/people/{w.id('user', r)}", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
        "focal_a": "403 403 403", "focal_b": "403 403 403", "coordinator": "403 403 403",
        "admin": "200 200 200"}),
    Page("enrolment", "list", lambda w, r: f"/cohorts/{_c(w)}/progress", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "Y Y Y",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=_name),
    Page("enrolment", "export", lambda w, r: f"/cohorts/{_c(w)}/progress.csv", {
        "anonymous": "L L L", "participant": "403 403 403", "facilitator": "Y Y Y",
        "focal_a": "Y Y N", "focal_b": "N N Y", "coordinator": "Y Y N", "admin": "Y Y Y"},
        marker=_name),
    # Country roll-out plans: the country's team, focal point and coordinator, the
    # cohort's facilitators and admins.
    Page("plan", "read", lambda w, r: _plan_url(w, r), {
        "anonymous": "L L", "participant": "200 404", "facilitator": "200 200",
        "focal_a": "200 404", "focal_b": "404 200", "coordinator": "200 404",
        "admin": "200 200"}, relations=COUNTRY_RELATIONS),
    Page("plan", "export", lambda w, r: _plan_url(w, r, ".xlsx"), {
        "anonymous": "L L", "participant": "200 404", "facilitator": "200 200",
        "focal_a": "200 404", "focal_b": "404 200", "coordinator": "200 404",
        "admin": "200 200"}, relations=COUNTRY_RELATIONS),
    Page("plan", "list", lambda w, r: "/country-plans", {
        "anonymous": "L L", "participant": "Y N", "facilitator": "Y Y",
        "focal_a": "Y N", "focal_b": "N Y", "coordinator": "Y N", "admin": "Y Y"},
        marker=lambda w, r: _plan_url(w, r) + '"', relations=COUNTRY_RELATIONS),
    # Country applications: the country's coordinator and focal point, and admins.
    Page("application", "read", lambda w, r: f"/applications/{w.id('application', r)}", {
        "anonymous": "L L", "participant": "403 403", "facilitator": "403 403",
        "focal_a": "200 404", "focal_b": "404 200", "coordinator": "200 404",
        "admin": "200 200"}, relations=COUNTRY_RELATIONS),
    Page("application", "list", lambda w, r: "/applications", {
        "anonymous": "L L", "participant": "403 403", "facilitator": "403 403",
        "focal_a": "Y N", "focal_b": "N Y", "coordinator": "Y N", "admin": "Y Y"},
        marker=lambda w, r: f"/applications/{w.id('application', r)}\"",
        relations=COUNTRY_RELATIONS),
]

WRITES = [
    # Only the trainer edits a training (admins and focal points read it).
    Write("training", "edit", lambda w, r: f"/trainings/{w.id('training', r)}/edit",
          lambda w, r: f"/trainings/{w.id('training', r)}/edit", _owner_viewer,
          {"region_city": "Changed"}, _value(Training, Training.region_city, "training"), {
              "anonymous": "L L L", "participant": "ok 404 404", "facilitator": "404 404 404",
              "focal_a": "404 404 404", "focal_b": "404 404 404",
              "coordinator": "404 404 404", "admin": "404 404 404"}),
    # Only the focal point of the training's country decides on its report.
    Write("report", "approve", lambda w, r: f"/reports/{w.id('report', r)}",
          lambda w, r: f"/reports/{w.id('report', r)}/review", _focal_of,
          {"decision": "approve"}, _value(TrainingReport, TrainingReport.status, "report"), {
              "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
              "focal_a": "ok ok 404", "focal_b": "404 404 ok", "coordinator": "403 403 403",
              "admin": "403 403 403"}),
    # Only admins revoke a certificate.
    Write("certificate", "approve", lambda w, r: f"/certificates/{w.id('certificate', r)}",
          lambda w, r: f"/certificates/{w.id('certificate', r)}/revoke", lambda w, r: "admin",
          {"revoke-reason": "Issued in error"},
          _value(Certificate, Certificate.status, "certificate"), {
              "anonymous": "L L L", "participant": "403 403 403", "facilitator": "403 403 403",
              "focal_a": "403 403 403", "focal_b": "403 403 403",
              "coordinator": "403 403 403", "admin": "ok ok ok"}),
    # Only the owner edits a plan item; only the cohort's facilitators comment on a plan.
    Write("item", "edit", lambda w, r: "/plan", lambda w, r: f"/plan/items/{w.id('item', r)}",
          _owner_viewer, {"action": "Changed"},
          _value(ActionPlanItem, ActionPlanItem.action, "item"), {
              "anonymous": "L L L", "participant": "ok 404 404", "facilitator": "404 404 404",
              "focal_a": "404 404 404", "focal_b": "404 404 404",
              "coordinator": "404 404 404", "admin": "404 404 404"}),
    Write("item", "approve",
          lambda w, r: f"/cohorts/{_c(w)}/participants/{w.id('user', r)}/plan",
          lambda w, r: f"/cohorts/{_c(w)}/participants/{w.id('user', r)}/plan/comments",
          lambda w, r: "facilitator", {"body": "Good first step"}, _comments, {
              "anonymous": "L L L", "participant": "404 404 404", "facilitator": "ok ok ok",
              "focal_a": "404 404 404", "focal_b": "404 404 404",
              "coordinator": "404 404 404", "admin": "404 404 404"}),
    # Only the owner answers in their attempt.
    Write("attempt", "edit", lambda w, r: "/assessments/quiz-module-1/quiz",
          lambda w, r: f"/assessments/attempts/{w.id('open_attempt', r)}/answers",
          _owner_viewer, {}, _answers, {
              "anonymous": "L L L", "participant": "ok 404 404", "facilitator": "404 404 404",
              "focal_a": "404 404 404", "focal_b": "404 404 404",
              "coordinator": "404 404 404", "admin": "404 404 404"}),
    # The country's team and admins edit the roll-out plan; its focal point and admins
    # review it once submitted.
    Write("plan", "edit", lambda w, r: _plan_url(w, r),
          lambda w, r: _plan_url(w, r, "/sections/context"), _team_member, {},
          _value(CountryPlan, CountryPlan.version, "plan"), {
              "anonymous": "L L", "participant": "ok 404", "facilitator": "404 404",
              "focal_a": "404 404", "focal_b": "404 404", "coordinator": "404 404",
              "admin": "ok ok"}, relations=COUNTRY_RELATIONS),
    Write("plan", "approve", lambda w, r: _plan_url(w, r, "/review"),
          lambda w, r: _plan_url(w, r, "/review"), lambda w, r: "admin",
          {"decision": "approve"}, _value(CountryPlan, CountryPlan.status, "plan"), {
              "anonymous": "L L", "participant": "404 404", "facilitator": "404 404",
              "focal_a": "ok 404", "focal_b": "404 ok", "coordinator": "404 404",
              "admin": "ok ok"}, relations=COUNTRY_RELATIONS, prepare=_submit_plan),
    # The country's coordinator and admins edit a draft application.
    Write("application", "edit",
          lambda w, r: f"/applications/{w.id('application', r)}/parts/contacts",
          lambda w, r: f"/applications/{w.id('application', r)}/parts/contacts",
          _coordinator_of, {},
          _value(CountryApplication, CountryApplication.version, "application"), {
              "anonymous": "L L", "participant": "403 403", "facilitator": "403 403",
              "focal_a": "403 403", "focal_b": "403 403", "coordinator": "ok 404",
              "admin": "ok ok"}, relations=COUNTRY_RELATIONS),
]


# --- the checks ---------------------------------------------------------------------------


class _MissingWorld(World):
    """The same addresses with every record id replaced by one that does not exist."""

    def id(self, kind: str, relation: str) -> int:
        return MISSING


def _text_of(response) -> str:  # type: ignore[no-untyped-def]
    if response.mimetype.endswith("spreadsheetml.sheet"):
        workbook = load_workbook(io.BytesIO(response.data), read_only=True)
        return "\n".join(str(cell) for sheet in workbook.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row)
    return response.get_data(as_text=True)


def _page_without(response, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page but for its own address and its CSRF token (which carries the time)."""
    return CSRF_VALUE.sub("", response.get_data(as_text=True).replace(url, "?"))


def _is_sign_in_redirect(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_the_table_names_every_viewer_and_relation_once() -> None:
    for case in [*PAGES, *WRITES]:
        assert sorted(case.expected) == sorted(VIEWERS), (case.kind, case.action)
        for viewer, row in case.expected.items():
            assert len(_cells(row)) == len(case.relations), (case.kind, case.action, viewer)
    actions = {(case.kind, case.action) for case in [*PAGES, *WRITES]}
    for action in ("read", "list", "export", "edit", "approve"):
        assert any(done == action for _kind, done in actions), action


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_policy_for_each_viewer(app: Flask, two_countries: World, viewer: str) -> None:
    """Reads, lists and exports first (they change nothing), then edits and approvals."""
    client = _client(app, two_countries, viewer)
    failures = _reads_lists_and_exports(client, two_countries, viewer)
    failures += _edits_and_approvals(app, client, two_countries, viewer)
    assert not failures, "\n".join(failures)


def _reads_lists_and_exports(client: BrowserLikeClient, world: World, viewer: str) -> list[str]:
    missing_world = _MissingWorld(world.people, world.cohort_id, world.ids, world.owners)
    failures = []
    for page in PAGES:
        for relation, cell in zip(page.relations, _cells(page.expected[viewer]), strict=True):
            url = page.url(world, relation)
            response = client.get(url)
            where = f"{page.kind} {page.action} {relation} {url}"
            if cell == "L":
                if not _is_sign_in_redirect(response):
                    failures.append(f"{where}: expected sign-in, got {response.status_code}")
                continue
            if cell in ("Y", "N"):
                if response.status_code != 200:
                    failures.append(f"{where}: expected 200, got {response.status_code}")
                    continue
                assert page.marker is not None
                shown = page.marker(world, relation) in _text_of(response)
                if shown != (cell == "Y"):
                    failures.append(f"{where}: expected {'shown' if cell == 'Y' else 'hidden'}")
                continue
            if response.status_code != int(cell):
                failures.append(f"{where}: expected {cell}, got {response.status_code}")
                continue
            missing_url = page.url(missing_world, relation)
            if cell == "404" and missing_url != url:
                # Someone else's record and no record at all give the same answer.
                missing = client.get(missing_url)
                same = (missing.status_code == 404 and
                        _page_without(missing, missing_url) == _page_without(response, url))
                if not same:
                    diff = "\n".join(difflib.unified_diff(
                        response.get_data(as_text=True).splitlines(),
                        missing.get_data(as_text=True).splitlines(), lineterm="", n=0))
                    failures.append(f"{where}: refused differently from a missing record\n{diff}")
    return failures


def _edits_and_approvals(app: Flask, client: BrowserLikeClient, world: World, viewer: str,
                         ) -> list[str]:
    authors: dict[str, BrowserLikeClient] = {}
    failures = []
    for write in WRITES:
        for relation, cell in zip(write.relations, _cells(write.expected[viewer]), strict=True):
            where = f"{write.kind} {write.action} {relation}"
            with app.app_context():
                if write.prepare:
                    write.prepare(world, relation)
                before = write.stored(world, relation)
            author = write.author(world, relation)
            if author not in authors:
                authors[author] = _client(app, world, author)
            target = write.target(world, relation)
            reader = form_on(authors[author], write.page(world, relation), target)
            changes = write.changes or _default_change(reader)
            response = client.post(target, data=_body(reader, changes, client.token()))
            with app.app_context():
                after = write.stored(world, relation)
            if cell == "ok":
                if response.status_code not in (200, 302) or _is_sign_in_redirect(response):
                    failures.append(f"{where}: expected it applied, got {response.status_code}")
                elif after == before:
                    failures.append(f"{where}: answered {response.status_code}, stored nothing")
                continue
            if cell == "L":
                refused = _is_sign_in_redirect(response)
            else:
                refused = response.status_code == int(cell)
            if not refused:
                failures.append(f"{where}: expected {cell}, got {response.status_code}")
            if after != before:
                failures.append(f"{where}: refused but the record changed")
    return failures


def _default_change(reader: FormReader) -> dict[str, Any]:
    """Forms without a named change: answer the first question, or rewrite the first text."""
    if reader.options:
        name = next(iter(reader.options))
        return {name: reader.options[name][-1]}
    return {reader.texts[0]: "Changed by the object matrix"}


# --- ids swapped inside a path, and in bodies --------------------------------------------


def _post_swapped(client: BrowserLikeClient, page: str, own_action: str, swapped_action: str,
                  changes: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    """Fill the form for one's own record, as the page shows it, and post it to the address
    of a record under another parent (or with ids changed in the body)."""
    reader = form_on(client, page, own_action)
    return client.post(swapped_action, data=_body(reader, changes or {}, client.token()))


def test_a_child_record_under_another_parent_is_not_found(app: Flask,
                                                          two_countries: World) -> None:
    world = two_countries
    team = _client(app, world, "participant")
    bi, cd = _plan_url(world, "own"), _plan_url(world, "other")
    swaps = []
    for child, path in (("activity_id", "activities"), ("line_id", "budget"),
                        ("risk_id", "risks")):
        own, other = world.id(child, "own"), world.id(child, "other")
        # The edit page of Congo's row, reached through Burundi's plan.
        assert team.get(f"{bi}/{path}/{other}").status_code == 404
        swaps.append(_post_swapped(team, f"{bi}/{path}/{own}", f"{bi}/{path}/{own}",
                                   f"{bi}/{path}/{other}"))
        swaps.append(_post_swapped(team, f"{bi}/{path}/{own}", f"{bi}/{path}/{own}/remove",
                                   f"{bi}/{path}/{other}/remove"))
    for viewer in ("coordinator", "admin"):
        client = _client(app, world, viewer)
        application = world.id("application", "own")
        for child, path, page in (("agency", "agencies", "parts/part1"),
                                  ("nominee", "nominees", "team")):
            own, other = world.id(child, "own"), world.id(child, "other")
            swaps.append(_post_swapped(
                client, f"/applications/{application}/{page}",
                f"/applications/{application}/{path}/{own}/delete",
                f"/applications/{application}/{path}/{other}/delete"))
    assert [response.status_code for response in swaps] == [404] * len(swaps)
    with app.app_context():
        cd_plan = world.id("plan", "other")
        assert [db.session.scalar(select(func.count()).select_from(model).where(
            model.plan_id == cd_plan)) for model in (CountryPlanActivity, BudgetLine, PlanRisk)
                ] == [1, 1, 1]
        # Started, then one activity, one line and one risk: no other change.
        assert db.session.get(CountryPlan, cd_plan).version == 4
        cd_application = db.session.get(CountryApplication, world.id("application", "other"))
        assert (len(cd_application.agencies), len(cd_application.nominees)) == (1, 1)
    assert team.get(cd).status_code == 404


def test_an_enrolment_or_a_participant_of_another_cohort_is_not_found(
        app: Flask, two_countries: World) -> None:
    world = two_countries
    with app.app_context():
        elsewhere = Cohort(name="Kinshasa ToT", slug="kinshasa", start_date=date(2030, 9, 1),
                           end_date=date(2030, 9, 5), countries=[CohortCountry(country_code="CD")])
        db.session.add(elsewhere)
        db.session.commit()
        elsewhere_id = elsewhere.id
    admin = _client(app, world, "admin")
    enrolment = world.id("enrolment", "own")
    response = _post_swapped(admin, f"/cohorts/{_c(world)}",
                             f"/cohorts/{_c(world)}/enrolments/{enrolment}/status",
                             f"/cohorts/{elsewhere_id}/enrolments/{enrolment}/status",
                             {"status": "withdrawn"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(Enrolment, enrolment).status.value != "withdrawn"
    facilitator = _client(app, world, "facilitator")
    own_user = world.id("user", "own")
    assert facilitator.get(f"/cohorts/{elsewhere_id}/participants/{own_user}/plan"
                           ).status_code == 404
    assert facilitator.get(f"/cohorts/{_c(world)}/participants/{world.people['admin'].id}/plan"
                           ).status_code == 404


def test_ids_swapped_or_duplicated_in_a_body_reach_no_one_elses_record(
        app: Flask, two_countries: World) -> None:
    world = two_countries
    own_user, other_user = world.id("user", "own"), world.id("user", "other")
    own_item, other_item = world.id("item", "own"), world.id("item", "other")
    facilitator = _client(app, world, "facilitator")
    plan_page = f"/cohorts/{_c(world)}/participants/{own_user}/plan"
    comments = f"{plan_page}/comments"
    # A comment on the owner's plan, pointed at another participant's item, alone or
    # duplicated in either order.
    for item_ids in ([other_item], [own_item, other_item], [other_item, own_item]):
        reader = form_on(facilitator, plan_page, comments)
        fields = [(name, value) for name, value in reader.fields if name != "item_id"]
        facilitator.post(comments, data=MultiDict([
            *fields, ("body", "Pointed elsewhere"), ("csrf_token", facilitator.token()),
            *[("item_id", str(item)) for item in item_ids]]))

    owner = _client(app, world, "participant")
    bi_activity, cd_activity = world.id("activity_id", "own"), world.id("activity_id", "other")
    bi = _plan_url(world, "own")
    training = f"/trainings/{world.id('training', 'own')}/edit"
    refused = [
        # The owner's item, with someone else's owner and item in the body.
        _post_swapped(owner, "/plan", f"/plan/items/{own_item}", f"/plan/items/{own_item}",
                      {"user_id": str(other_user), "item_id": str(other_item),
                       "action": "Still mine"}).status_code,
        # A co-trainer from another country's team, and another country's plan activity.
        _post_swapped(owner, training, training, training,
                      {"co_trainers": str(other_user)}).status_code,
        _post_swapped(owner, training, training, training,
                      {"plan_activity_id": str(cd_activity)}).status_code,
        # A budget line and a dependency pointing at DR Congo's activity.
        _post_swapped(owner, f"{bi}/budget/{world.id('line_id', 'own')}",
                      f"{bi}/budget/{world.id('line_id', 'own')}",
                      f"{bi}/budget/{world.id('line_id', 'own')}",
                      {"activity_id": str(cd_activity)}).status_code,
        _post_swapped(owner, f"{bi}/activities/{bi_activity}", f"{bi}/activities/{bi_activity}",
                      f"{bi}/activities/{bi_activity}",
                      {"depends_on": str(cd_activity)}).status_code,
    ]
    # The item edit is the owner's own and is saved; the others name records outside the
    # team's reach and are refused as invalid choices.
    assert refused == [302, 400, 400, 400, 400]
    with app.app_context():
        assert db.session.scalars(select(PlanComment.item_id).where(
            PlanComment.item_id == other_item)).all() == []
        assert db.session.scalar(select(func.count()).select_from(PlanComment).where(
            PlanComment.owner_id == other_user)) == 0
        mine = db.session.get(ActionPlanItem, own_item)
        theirs = db.session.get(ActionPlanItem, other_item)
        assert (mine.user_id, mine.action) == (own_user, "Still mine")
        assert (theirs.user_id, theirs.action) == (other_user, "Item of other")
        draft = db.session.get(Training, world.id("training", "own"))
        assert (draft.co_trainers, draft.plan_activity_id) == ([], None)
        assert db.session.scalar(select(BudgetLine.activity_id).where(
            BudgetLine.id == world.id("line_id", "own"))) is None
        assert db.session.get(CountryPlan, world.id("plan", "own")).version == 4
