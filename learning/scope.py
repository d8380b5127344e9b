"""Which records a person may see: applied inside queries, so out-of-scope is "not found".

- admin: everything;
- facilitator: the cohorts they run and the people enrolled in them;
- focal point: cohorts covering their countries, and people of those countries;
- coordinator: cohorts covering their country, and people of that country;
- participant: their own cohorts, and themselves.
"""

from __future__ import annotations

from sqlalchemy import Select, exists, or_, select, true

from learning.accounts.models import FocalPointCountry, Role, User
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator, Enrolment


def scoped_countries(viewer: User) -> list[str] | None:
    """The countries a viewer is limited to; None means no country limit."""
    if viewer.role == Role.FOCAL_POINT:
        return viewer.focal_country_codes
    if viewer.role == Role.COORDINATOR:
        return [viewer.country_code] if viewer.country_code else []
    return None


def cohorts_query(viewer: User) -> Select[tuple[Cohort]]:
    query = select(Cohort)
    if viewer.role == Role.ADMIN:
        return query.where(true())
    if viewer.role == Role.FACILITATOR:
        return query.where(
            exists().where(
                CohortFacilitator.cohort_id == Cohort.id, CohortFacilitator.user_id == viewer.id
            )
        )
    countries = scoped_countries(viewer)
    if countries is not None:
        return query.where(
            exists().where(
                CohortCountry.cohort_id == Cohort.id, CohortCountry.country_code.in_(countries)
            )
        )
    return query.where(
        exists().where(Enrolment.cohort_id == Cohort.id, Enrolment.user_id == viewer.id)
    )


def users_query(viewer: User) -> Select[tuple[User]]:
    query = select(User)
    if viewer.role == Role.ADMIN:
        return query.where(true())
    if viewer.role == Role.FACILITATOR:
        own_cohorts = select(CohortFacilitator.cohort_id).where(
            CohortFacilitator.user_id == viewer.id
        )
        return query.where(
            or_(
                User.id == viewer.id,
                exists().where(Enrolment.user_id == User.id,
                               Enrolment.cohort_id.in_(own_cohorts)),
            )
        )
    countries = scoped_countries(viewer)
    if countries is not None:
        return query.where(or_(User.id == viewer.id, User.country_code.in_(countries)))
    return query.where(User.id == viewer.id)


def enrolments_query(viewer: User, cohort: Cohort) -> Select[tuple[Enrolment]]:
    """Enrolments of a cohort the viewer may see (focal points and coordinators: their
    countries only)."""
    query = select(Enrolment).join(User, Enrolment.user_id == User.id).where(
        Enrolment.cohort_id == cohort.id
    )
    countries = scoped_countries(viewer)
    if countries is not None:
        query = query.where(User.country_code.in_(countries))
    elif viewer.role == Role.PARTICIPANT:
        query = query.where(Enrolment.user_id == viewer.id)
    return query


def focal_points_of(country_code: str) -> Select[tuple[User]]:
    return select(User).where(
        User.role == Role.FOCAL_POINT,
        User.is_active.is_(True),
        exists().where(FocalPointCountry.user_id == User.id,
                       FocalPointCountry.country_code == country_code),
    )
