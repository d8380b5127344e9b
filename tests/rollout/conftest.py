"""A cohort with two country teams (Burundi, DR Congo), their focal points and coordinators,
a facilitator, and helpers to record trainings as the trainer would or straight in the
database (for figures computed from known data)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask

from learning.accounts.models import OrganisationType, Role, User
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.db import db
from learning.rollout.models import (
    DeliveryMode,
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingReport,
)


@dataclass
class World:
    people: dict[str, User]
    cohort_id: int


@pytest.fixture
def world(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    people = {
        "trainer": make_user(Role.PARTICIPANT, name="Aline Ndayishimiye", language="fr"),
        "teammate": make_user(Role.PARTICIPANT, name="Jean Hakizimana"),
        "third": make_user(Role.PARTICIPANT, name="Paul Niyonzima"),
        "withdrawn": make_user(Role.PARTICIPANT, name="Eric Withdrawn"),
        "congo_trainer": make_user(Role.PARTICIPANT, name="Marie Kabila", country="CD"),
        "focal_point": make_user(Role.FOCAL_POINT, name="Fatou Focal", country=None,
                                 focal_countries=["BI"]),
        "other_focal_point": make_user(Role.FOCAL_POINT, name="Claire Congo", country=None,
                                       focal_countries=["CD"], language="fr"),
        "coordinator": make_user(Role.COORDINATOR, name="Coco Burundi"),
        "other_coordinator": make_user(Role.COORDINATOR, name="Coco Congo", country="CD"),
        "facilitator": make_user(Role.FACILITATOR, name="Fred Facilitator", country=None),
        "other_facilitator": make_user(Role.FACILITATOR, country=None),
        "outsider": make_user(Role.PARTICIPANT, name="Olga Outsider"),
        "admin": make_user(Role.ADMIN, country=None),
    }
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug="gitega", start_date=date(2030, 3, 2),
                        end_date=date(2030, 3, 6),
                        countries=[CohortCountry(country_code="BI"),
                                   CohortCountry(country_code="CD")],
                        facilitators=[CohortFacilitator(user_id=people["facilitator"].id)])
        db.session.add(cohort)
        db.session.flush()
        for name in ("trainer", "teammate", "third", "congo_trainer"):
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=people[name].id,
                                     status=EnrolmentStatus.CONFIRMED))
        db.session.add(Enrolment(cohort_id=cohort.id, user_id=people["withdrawn"].id,
                                 status=EnrolmentStatus.WITHDRAWN))
        db.session.commit()
        return World(people, cohort.id)


def page(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def hidden(text: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', text)
    assert match, f"no hidden {name} field"
    return match.group(1)


def complete_report(**overrides: Any) -> dict[str, Any]:
    """Every field of a complete training report, as the edit form posts them."""
    data: dict[str, Any] = {
        "start_date": "2030-05-05", "end_date": "2030-05-07", "days": "3",
        "region_city": "Gitega", "language": "rn", "delivery_mode": "in_person",
        "modules": ["1", "2", "3", "4"], "other_co_trainers": "Dr Nadia Ruvakubusa",
        "un_agency_count": "2", "international_ngo_count": "4", "national_ngo_count": "9",
        "government_count": "3", "other_organisation_count": "0",
        "female_count": "11", "male_count": "6", "other_gender_count": "1",
        "organisations-0-name": "Save the Children", "organisations-0-type": "international_ngo",
        "organisations-1-name": "FVS-Amade", "organisations-1-type": "national_ngo",
        "organisations-2-name": "Ministère de la Solidarité", "organisations-2-type": "government",
        "pre_test_average": "52,5", "post_test_average": "78", "tested_trainees": "17",
        "evaluation_highlights": "Role plays were the most useful part.",
        "adaptations": "Case studies rewritten with local names.",
        "challenges": "Two participants left on day two.",
        "follow_up_planned": "Monthly peer supervision group.",
        "draft_note": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def record_training(app: Flask) -> Callable[..., tuple[int, int]]:
    """A training straight in the database; returns (training id, report id)."""

    def make(trainer: User, cohort_id: int, *, status: ReportStatus = ReportStatus.DRAFT,
             counts: dict[str, int] | None = None,
             organisations: tuple[str, ...] = (), co_trainers: tuple[User, ...] = (),
             plan_activity_id: int | None = None, submitted_at: datetime | None = None,
             **values: Any) -> tuple[int, int]:
        with app.app_context():
            facts = {"start_date": date(2030, 5, 5), "end_date": date(2030, 5, 7), "days": 3,
                     "region_city": "Gitega", "language": "fr",
                     "delivery_mode": DeliveryMode.IN_PERSON, "modules": [1, 2]}
            training = Training(
                cohort_id=cohort_id, country_code=trainer.country_code, trainer_id=trainer.id,
                plan_activity_id=plan_activity_id, **{**facts, **(counts or {}), **values},
                co_trainers=[TrainingCoTrainer(user_id=person.id) for person in co_trainers],
                organisations=[TrainingOrganisation(position=i, name=name,
                                                    type=OrganisationType.NATIONAL_NGO)
                               for i, name in enumerate(organisations)],
                report=TrainingReport(
                    status=status,
                    submitted_at=submitted_at or (
                        datetime(2030, 5, 10, tzinfo=UTC)
                        if status != ReportStatus.DRAFT else None)))
            db.session.add(training)
            db.session.commit()
            return training.id, training.report.id

    return make
