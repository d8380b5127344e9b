"""A cohort with a Burundi and a DR Congo team, their focal points, coordinators and an
admin, and helpers that drive a participant through each certificate rule with the real
services (sections completed, post-test submitted, plan items added, training reported)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from learning.accounts.models import OrganisationType, Role, User
from learning.assessments import services as attempts
from learning.assessments.models import Purpose
from learning.audit.models import AuditEvent
from learning.certificates.models import Certificate
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.courses import services as courses
from learning.courses.catalogue import get_catalogue
from learning.db import db
from learning.plans import services as plans
from learning.plans.models import PlanFunction
from learning.rollout import services as rollout
from learning.rollout.models import DeliveryMode, ReportStatus, Training, TrainingReport
from tests.conftest import BrowserLikeClient, sign_in

PRECOURSE = ("precourse-1-case-management", "precourse-2-supervision-introduction")
MODULES = ("module-1-defining-supervision", "module-2-practices-and-tools", "module-3-skills",
           "module-4-staff-care")
NOW = datetime(2030, 4, 1, 10, 0, tzinfo=UTC)


@dataclass
class World:
    people: dict[str, User]
    cohort_id: int


@pytest.fixture(name="world")
def world_fixture(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    people = {
        "ana": make_user(Role.PARTICIPANT, name="Anaïs Ndayishimiye", language="fr"),
        "jean": make_user(Role.PARTICIPANT, name="Jean Hakizimana"),
        "alternate": make_user(Role.PARTICIPANT, name="Alex Alternate"),
        "withdrawn": make_user(Role.PARTICIPANT, name="Eric Withdrawn"),
        "marie": make_user(Role.PARTICIPANT, name="Marie Kabila", country="CD"),
        "focal_bi": make_user(Role.FOCAL_POINT, name="Fatou Focal", country=None,
                              focal_countries=["BI"]),
        "focal_cd": make_user(Role.FOCAL_POINT, name="Claire Congo", country=None,
                              focal_countries=["CD"]),
        "coordinator_cd": make_user(Role.COORDINATOR, name="Coco Congo", country="CD"),
        "admin": make_user(Role.ADMIN, name="Ada Admin", country=None),
    }
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code="BI"),
                                   CohortCountry(country_code="CD")])
        db.session.add(cohort)
        db.session.flush()
        statuses = {"ana": EnrolmentStatus.CONFIRMED, "jean": EnrolmentStatus.NOMINATED,
                    "alternate": EnrolmentStatus.ALTERNATE,
                    "withdrawn": EnrolmentStatus.WITHDRAWN, "marie": EnrolmentStatus.CONFIRMED}
        for name, status in statuses.items():
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=people[name].id,
                                     status=status))
        db.session.commit()
        return World(people, cohort.id)


def set_rules(app: Flask, cohort_id: int, **settings: Any) -> None:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        cohort.settings = {**(cohort.settings or {}), **settings}
        db.session.commit()


def complete_units(app: Flask, person: User, *unit_ids: str) -> None:
    """Every section the participant sees in each unit, marked done as the reader does."""
    with app.app_context():
        user = db.session.get(User, person.id)
        for unit_id in unit_ids:
            unit = get_catalogue().unit(unit_id)
            assert unit is not None, unit_id
            for section in unit.visible_sections(include_facilitator_notes=False):
                courses.record_event(user, section, "opened")
                courses.record_event(user, section, "completed")
        db.session.commit()


def submit_post_test(app: Flask, person: User) -> None:
    with app.app_context():
        user = db.session.get(User, person.id)
        bank = get_catalogue().quiz("knowledge-test")
        assert bank is not None
        attempt = attempts.start_attempt(user, bank, Purpose.POST, NOW)
        sitting = attempts.sitting_of(get_catalogue(), attempt)
        assert sitting is not None
        assert attempts.submit(sitting, {}, NOW, user.language)
        db.session.commit()


def submit_post_test_by_hand(app: Flask, client: BrowserLikeClient, person: User) -> None:
    """The post-test answered (saved as the page autosaves them), then submitted with the
    page's "Submit" button: the request after which the rules are evaluated."""
    with app.app_context():
        user = db.session.get(User, person.id)
        bank = get_catalogue().quiz("knowledge-test")
        assert bank is not None
        attempt = attempts.start_attempt(user, bank, Purpose.POST, NOW)
        sitting = attempts.sitting_of(get_catalogue(), attempt)
        assert sitting is not None
        keyed = {question.id: (list(question.answer) if isinstance(question.answer, tuple)
                               else question.answer) for question in sitting.questions}
        attempts.save_answers(sitting, keyed, NOW)
        db.session.commit()
        attempt_id = attempt.id
    client.get("/assessments")
    response = client.post(f"/assessments/attempts/{attempt_id}/submit",
                           data={"csrf_token": client.last_token or client.token()})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def add_plan_items(app: Flask, person: User, *unit_ids: str) -> None:
    with app.app_context():
        user = db.session.get(User, person.id)
        for unit_id in unit_ids:
            plans.create_item(user, f"key-{unit_id}", unit_id, plans.ItemFields(
                function=PlanFunction.SUPPORTIVE, action=f"Monthly group supervision ({unit_id})"))
        db.session.commit()


def submitted_training(app: Flask, person: User, cohort_id: int) -> int:
    """A complete training recorded and submitted by its trainer; returns the report id."""
    with app.app_context():
        trainer = db.session.get(User, person.id)
        cohort = db.session.get(Cohort, cohort_id)
        training = rollout.create_training(trainer, cohort, rollout.TrainingFields(
            start_date=date(2030, 5, 5), end_date=date(2030, 5, 7), days=3,
            region_city="Gitega", language="fr", delivery_mode=DeliveryMode.IN_PERSON,
            modules=(1, 2, 3, 4), national_ngo_count=12, female_count=7, male_count=5,
            organisations=(rollout.OrganisationReached("FVS-Amade",
                                                       OrganisationType.NATIONAL_NGO),)))
        rollout.submit_report(training.report, trainer, "http://localhost/reports")
        db.session.commit()
        return training.report.id


def approved_training(app: Flask, person: User, cohort_id: int) -> int:
    """A training whose report is already approved, straight in the database."""
    with app.app_context():
        training = Training(cohort_id=cohort_id, country_code=person.country_code,
                            trainer_id=person.id, start_date=date(2030, 5, 5),
                            end_date=date(2030, 5, 7), days=3, region_city="Gitega",
                            language="fr", delivery_mode=DeliveryMode.IN_PERSON, modules=[1],
                            national_ngo_count=9,
                            report=TrainingReport(status=ReportStatus.APPROVED,
                                                  submitted_at=NOW, decided_at=NOW))
        db.session.add(training)
        db.session.commit()
        return training.report.id


def meet_every_rule_but_the_report(app: Flask, person: User) -> None:
    complete_units(app, person, *PRECOURSE, *MODULES)
    submit_post_test(app, person)
    add_plan_items(app, person, *MODULES)


def client_for(app: Flask, person: User) -> BrowserLikeClient:
    client: BrowserLikeClient = app.test_client()  # type: ignore[assignment]
    assert sign_in(client, person).status_code == 302
    return client


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def hidden(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', text)
    assert match, f"no hidden {name} field"
    return match.group(1)


def approve(client: BrowserLikeClient, report_id: int) -> None:
    """The focal point approves the report on its page, as in the browser."""
    form = page(client.get(f"/reports/{report_id}"))
    response = client.post(f"/reports/{report_id}/review", data={
        "csrf_token": client.last_token, "key": hidden(form, "key"), "decision": "approve",
        "comments": ""})
    assert response.status_code == 302


def certificates_of(app: Flask, person: User) -> list[Certificate]:
    with app.app_context():
        rows = list(db.session.scalars(select(Certificate).where(Certificate.user_id == person.id)
                                       .order_by(Certificate.id)))
        for row in rows:
            db.session.expunge(row)
        return rows


def audit_count(app: Flask, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == action)) or 0
