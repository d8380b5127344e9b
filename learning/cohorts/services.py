"""Cohort rules: creating, editing, enrolling, scoped look-ups."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learning import scope
from learning.accounts.models import Role, User
from learning.audit.services import record
from learning.cohorts.models import (
    Cohort,
    CohortCountry,
    CohortFacilitator,
    Enrolment,
    EnrolmentStatus,
)
from learning.db import db


class CohortError(ValueError):
    """A rule was broken; the view shows a translated message for ``code``."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80] or "cohort"


def visible_cohorts(viewer: User) -> list[Cohort]:
    query = scope.cohorts_query(viewer).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    return list(db.session.scalars(query))


def get_visible_cohort(viewer: User, cohort_id: int) -> Cohort | None:
    return db.session.scalar(scope.cohorts_query(viewer).where(Cohort.id == cohort_id))


def can_manage(viewer: User, cohort: Cohort) -> bool:
    """Admins manage every cohort; facilitators the cohorts they run."""
    return viewer.role == Role.ADMIN or (
        viewer.role == Role.FACILITATOR and viewer.id in cohort.facilitator_ids
    )


def manageable_cohorts(viewer: User) -> list[Cohort]:
    return [cohort for cohort in visible_cohorts(viewer) if can_manage(viewer, cohort)]


@dataclass
class CohortData:
    name: str
    slug: str
    languages: list[str]
    venue: str
    start_date: date
    end_date: date
    precourse_deadline: date | None
    countries: list[str]
    facilitator_ids: list[int]
    # Assessment rules (learning.assessments.gating); unset keys follow the programme.
    rules: dict[str, bool] = field(default_factory=dict)
    # Certificate settings (learning.certificates.rules): "certificate_rules",
    # "certificate_languages"; left empty, the stored ones are kept.
    certificates: dict[str, Any] = field(default_factory=dict)


def _apply(cohort: Cohort, data: CohortData, session: Session) -> None:
    if data.end_date < data.start_date:
        raise CohortError("dates")
    if data.precourse_deadline and data.precourse_deadline > data.start_date:
        raise CohortError("deadline")
    slug = slugify(data.slug or data.name)
    clash = session.scalar(select(Cohort.id).where(Cohort.slug == slug, Cohort.id != cohort.id))
    if clash is not None:
        raise CohortError("slug")
    facilitators = list(
        session.scalars(
            select(User.id).where(User.id.in_(data.facilitator_ids),
                                  User.role == Role.FACILITATOR)
        )
    )
    cohort.name = " ".join(data.name.split())
    cohort.slug = slug
    cohort.languages = ",".join(lang for lang in ("en", "fr") if lang in data.languages) or "en"
    cohort.venue = data.venue.strip()
    cohort.start_date = data.start_date
    cohort.end_date = data.end_date
    cohort.precourse_deadline = data.precourse_deadline
    cohort.countries = [CohortCountry(country_code=code) for code in sorted(set(data.countries))]
    cohort.facilitators = [CohortFacilitator(user_id=uid) for uid in sorted(set(facilitators))]
    if data.rules or data.certificates:
        cohort.settings = {**(cohort.settings or {}), **data.rules, **data.certificates}


def create_cohort(actor: User, data: CohortData) -> Cohort:
    cohort = Cohort()
    _apply(cohort, data, db.session())
    db.session.add(cohort)
    db.session.flush()
    record("cohort.created", actor=actor, target=cohort, slug=cohort.slug)
    return cohort


def update_cohort(actor: User, cohort: Cohort, data: CohortData) -> None:
    before = set(cohort.facilitator_ids)
    _apply(cohort, data, db.session())
    db.session.flush()
    after = {row.user_id for row in cohort.facilitators}
    record(
        "cohort.updated",
        actor=actor,
        target=cohort,
        facilitators_added=sorted(after - before) or None,
        facilitators_removed=sorted(before - after) or None,
    )


def enrolments(viewer: User, cohort: Cohort) -> list[Enrolment]:
    query = scope.enrolments_query(viewer, cohort).order_by(User.country_code, User.name)
    return list(db.session.scalars(query))


def enrol(actor: User, cohort: Cohort, user: User,
          status: EnrolmentStatus = EnrolmentStatus.NOMINATED) -> Enrolment:
    existing = db.session.scalar(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.user_id == user.id)
    )
    if existing is not None:
        raise CohortError("already_enrolled")
    enrolment = Enrolment(cohort=cohort, user=user, status=status)
    db.session.add(enrolment)
    db.session.flush()
    record("enrolment.created", actor=actor, target=enrolment, cohort=cohort.slug,
           user_id=user.id)
    return enrolment


def set_enrolment_status(actor: User, enrolment: Enrolment, status: EnrolmentStatus) -> None:
    if enrolment.status == status:
        return
    record("enrolment.status_changed", actor=actor, target=enrolment,
           before=enrolment.status.value, after=status.value)
    enrolment.status = status


def team_counts(cohort: Cohort) -> dict[str, int]:
    """Active (not withdrawn) participants per country: the cohort's country teams."""
    rows = db.session.execute(
        select(User.country_code, func.count(Enrolment.id))
        .join(User, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == cohort.id, Enrolment.status != EnrolmentStatus.WITHDRAWN)
        .group_by(User.country_code)
    ).all()
    return {code or "": count for code, count in rows}
