"""Helpers to build cohorts from known data: who is enrolled, who has done which unit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from flask import Flask

from learning.accounts.models import User
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db

PC1 = "precourse-1-case-management"
PC2 = "precourse-2-supervision-introduction"
MODULES = ("module-1-defining-supervision", "module-2-practices-and-tools", "module-3-skills",
           "module-4-staff-care")


@pytest.fixture
def make_cohort(app: Flask) -> Callable[..., int]:
    def factory(slug: str, *, countries: tuple[str, ...] = ("BI",),
                facilitators: tuple[User, ...] = (), deadline: date | None = None) -> int:
        with app.app_context():
            cohort = Cohort(
                name=f"ToT {slug}", slug=slug, start_date=date(2030, 3, 2),
                end_date=date(2030, 3, 6), precourse_deadline=deadline,
                countries=[CohortCountry(country_code=code) for code in countries],
                facilitators=[CohortFacilitator(user_id=person.id) for person in facilitators])
            db.session.add(cohort)
            db.session.commit()
            return cohort.id

    return factory


@pytest.fixture
def enrol(app: Flask) -> Callable[..., None]:
    def do(cohort_id: int, *people: User,
           status: EnrolmentStatus = EnrolmentStatus.CONFIRMED) -> None:
        with app.app_context():
            for person in people:
                db.session.add(Enrolment(cohort_id=cohort_id, user_id=person.id, status=status))
            db.session.commit()

    return do


@pytest.fixture
def complete(app: Flask) -> Callable[..., None]:
    """Mark every section a participant sees in a unit as completed (facilitator notes are
    not theirs to complete), or all but the last one with ``all_but_one``."""

    def do(person: User, unit_id: str, *, all_but_one: bool = False,
           at: datetime = datetime(2030, 2, 10, 9, 30, tzinfo=UTC)) -> None:
        with app.app_context():
            unit = get_catalogue().unit(unit_id)
            assert unit is not None
            sections = unit.visible_sections(include_facilitator_notes=False)
            for section in sections[:-1] if all_but_one else sections:
                db.session.add(SectionProgress(
                    user_id=person.id, unit_id=unit.id, section_id=section.id,
                    content_version=section.version, opened_at=at, last_seen_at=at,
                    completed_at=at))
            db.session.commit()

    return do
