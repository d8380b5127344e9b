"""JSON API v1: read-only endpoints, scoped exactly like the HTML pages.

Authentication is a personal access token (``Authorization: Bearer tdm_…``) and nothing
else: the session cookie does not act on /api/ paths (see ``learning.accounts.sessions``),
so there is no cross-site request to forge and no CSRF token to send. A token acts with its
person's *current* role and scope. Objects outside that scope are answered 404, like
missing ones. Every error is an RFC 9457 problem (``learning.api.problems``), every list is
paginated (``learning.api.pagination``), and ``openapi.json`` describes every route here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, NoReturn

from flask import Response, abort, current_app, g, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, exists, select

from learning.access import STAFF, public, roles, signed_in
from learning.accounts.models import Role, User
from learning.accounts.throttle import throttle
from learning.analytics.framework import DASHBOARDS, Figure, Filters, build_cached
from learning.api import bp, openapi
from learning.api.pagination import paginate_list, paginate_query
from learning.api.problems import problem
from learning.assessments import banks, results
from learning.certificates.links import verification_url
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts import services as cohorts
from learning.cohorts.models import Cohort, CohortFacilitator, Enrolment
from learning.courses import cohort_progress
from learning.courses.catalogue import get_catalogue
from learning.db import db
from learning.rollout.models import ReportStatus, Training, TrainingReport

# The same rule as the roll-out pages (trainer, co-trainer, the cohort's facilitators, the
# country's focal points and coordinator, admins); private there, shared here on purpose.
from learning.rollout.services import _visible as training_visible_to
from learning.scope import cohorts_query, enrolments_query, scoped_countries

DASHBOARD_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.FOCAL_POINT, Role.FACILITATOR)
RATE_LIMIT_BUCKET = "api-token"
RATE_LIMIT_WINDOW = timedelta(minutes=10)


# --- rate limit ----------------------------------------------------------------------------


@bp.before_request
def _rate_limit() -> Response | None:
    """Per token: at most ``API_RATE_LIMIT`` requests (default 600) in ten minutes."""
    token = g.get("api_token")
    if token is None:
        return None
    limit = int(current_app.config.get("API_RATE_LIMIT", 600))
    counter = throttle()
    key = str(token.id)
    if counter.count(RATE_LIMIT_BUCKET, key, RATE_LIMIT_WINDOW) >= limit:
        seconds = int(RATE_LIMIT_WINDOW.total_seconds())
        return problem(429, "Too Many Requests",
                       _("This token made more than %(limit)d requests in %(minutes)d minutes.",
                         limit=limit, minutes=seconds // 60),
                       headers={"Retry-After": str(seconds)})
    counter.hit(RATE_LIMIT_BUCKET, key, RATE_LIMIT_WINDOW)
    db.session.commit()
    return None


# --- shaping -------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value as JSON has it: ISO 8601 dates, numbers for decimals, enum values."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    return value


def _not_found() -> NoReturn:
    abort(404)


def _user_summary(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name or user.email} if user is not None else None


def _cohort_json(cohort: Cohort) -> dict[str, Any]:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "slug": cohort.slug,
        "languages": cohort.language_list,
        "venue": cohort.venue,
        "start_date": plain(cohort.start_date),
        "end_date": plain(cohort.end_date),
        "precourse_deadline": plain(cohort.precourse_deadline),
        "countries": cohort.country_codes,
        "url": url_for("api.cohort", cohort_id=cohort.id, _external=True),
    }


def _visible_cohort(cohort_id: int) -> Cohort:
    cohort = cohorts.get_visible_cohort(current_user, cohort_id)
    if cohort is None:
        _not_found()
    return cohort


# --- who am I ------------------------------------------------------------------------------


@bp.get("/me")
@signed_in
def me() -> Response:
    user: User = current_user
    return jsonify({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "language": user.language,
        "country_code": user.country_code,
        "focal_countries": user.focal_country_codes,
        "organisation": user.organisation.name if user.organisation else None,
    })


# --- cohorts -------------------------------------------------------------------------------


@bp.get("/cohorts")
@signed_in
def cohort_list() -> Response:
    query = cohorts_query(current_user).order_by(Cohort.start_date.desc(), Cohort.id.desc())
    return paginate_query(query, _cohort_json)


@bp.get("/cohorts/<int:cohort_id>")
@signed_in
def cohort(cohort_id: int) -> Response:
    found = _visible_cohort(cohort_id)
    return jsonify({
        **_cohort_json(found),
        "facilitators": [_user_summary(row.user) for row in found.facilitators],
    })


@bp.get("/cohorts/<int:cohort_id>/enrolments")
@roles(STAFF)
def cohort_enrolments(cohort_id: int) -> Response:
    """Every enrolment the viewer may see, with the person's progress through the course."""
    found = _visible_cohort(cohort_id)
    progress = cohort_progress.cohort_progress(
        current_user, found, get_catalogue(), cohort_progress.Filters(), str(get_locale()))
    rows = {row.user_id: row for row in progress.rows}
    step_ids = [step.id for step in progress.step_columns]
    enrolments = db.session.scalars(
        enrolments_query(current_user, found).order_by(User.name, User.email, Enrolment.id))
    items = []
    for enrolment in enrolments:
        row = rows.get(enrolment.user_id)  # none for withdrawn people: no progress counted
        items.append({
            "id": enrolment.id,
            "status": enrolment.status.value,
            "person": {"id": enrolment.user.id, "name": enrolment.user.name or
                       enrolment.user.email, "country_code": enrolment.user.country_code},
            "organisation": row.organisation if row else None,
            "progress": None if row is None else {
                "steps_done": [step_id for step_id in step_ids if step_id in row.done],
                "steps_total": len(step_ids),
                "modules_done": row.modules_done,
                "modules_total": progress.module_count,
                "last_activity": plain(row.last_activity),
            },
        })
    return paginate_list(items, steps=step_ids)


@bp.get("/cohorts/<int:cohort_id>/results")
@roles(STAFF)
def cohort_results(cohort_id: int) -> Response:
    """Knowledge pre/post per person (items, when the viewer may see people), summaries per
    test and country, and the confidence summary per area."""
    found = _visible_cohort(cohort_id)
    results_scope = results.scope_for(current_user, found)
    catalogue = get_catalogue()
    knowledge = results.knowledge_results(results_scope, catalogue)
    people: dict[int, dict[str, Any]] = {}
    for test in knowledge:
        for learner in (*test.paired, *test.unpaired):
            person = people.setdefault(learner.user_id, {
                "person": {"id": learner.user_id, "name": learner.name,
                           "country_code": learner.country_code},
                "tests": []})
            person["tests"].append({"bank_id": test.bank_id, "pre": learner.pre,
                                    "post": learner.post, "difference": learner.difference,
                                    "gain": learner.gain})
    items = sorted(people.values(), key=lambda item: (item["person"]["name"].casefold(),
                                                      item["person"]["id"]))
    summary = {
        "people_shown": results_scope.show_people,
        "knowledge": [{
            "bank_id": test.bank_id,
            "overall": _group_json(test.overall),
            "countries": [_group_json(group) for group in test.countries],
        } for test in knowledge],
        "confidence": [_confidence_json(results.confidence_results(results_scope, bank))
                       for bank in results.banks_of_kind(catalogue, banks.Kind.CONFIDENCE)],
    }
    return paginate_list(items, summary=summary)


def _group_json(group: results.GroupKnowledge) -> dict[str, Any]:
    summary = group.summary
    return {
        "country_code": group.country_code,
        "paired_n": summary.paired_n,
        "mean_pre": summary.mean_pre,
        "mean_post": summary.mean_post,
        "mean_difference": summary.mean_difference,
        "class_average_gain": summary.class_average_gain,
        "pre_only": group.pre_only,
        "post_only": group.post_only,
    }


def _confidence_json(confidence: results.ConfidenceResults) -> dict[str, Any]:
    return {
        "bank_id": confidence.bank.id,
        "respondents_before": confidence.respondents_before,
        "respondents_after": confidence.respondents_after,
        "areas": [{
            "area": area.area.id,
            "median_before": area.median_before,
            "median_after": area.median_after,
            "rose": area.change.rose,
            "same": area.change.same,
            "fell": area.change.fell,
        } for area in confidence.areas],
    }


# --- roll-out ------------------------------------------------------------------------------


def _report_json(report: TrainingReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "training_id": report.training_id,
        "status": report.status.value,
        "submitted_at": plain(report.submitted_at),
        "decided_at": plain(report.decided_at),
    }


def _training_json(training: Training) -> dict[str, Any]:
    return {
        "id": training.id,
        "cohort_id": training.cohort_id,
        "country_code": training.country_code,
        "trainer": _user_summary(training.trainer),
        "start_date": plain(training.start_date),
        "end_date": plain(training.end_date),
        "days": training.days,
        "region_city": training.region_city,
        "language": training.language,
        "delivery_mode": plain(training.delivery_mode),
        "modules": list(training.modules or []),
        "participants_total": training.participants_total,
        "female": training.female_count,
        "male": training.male_count,
        "other_gender": training.other_gender_count,
        "organisations": [{"name": org.name, "type": org.type.value}
                          for org in training.organisations],
        "pre_test_average": plain(training.pre_test_average),
        "post_test_average": plain(training.post_test_average),
        "report": _report_json(training.report) if training.report else None,
        "url": url_for("api.training", training_id=training.id, _external=True),
    }


def _visible_trainings() -> Select[tuple[Training]]:
    return select(Training).where(training_visible_to(current_user))


@bp.get("/cohorts/<int:cohort_id>/trainings")
@signed_in
def cohort_trainings(cohort_id: int) -> Response:
    found = _visible_cohort(cohort_id)
    query = (_visible_trainings().where(Training.cohort_id == found.id)
             .order_by(Training.country_code, Training.start_date, Training.id))
    return paginate_query(query, _training_json)


@bp.get("/trainings/<int:training_id>")
@signed_in
def training(training_id: int) -> Response:
    found = db.session.scalar(_visible_trainings().where(Training.id == training_id))
    if found is None:
        _not_found()
    return jsonify(_training_json(found))


def _enum_filter(name: str, enum: type[Enum]) -> Any:
    """The value of an enum query parameter, None when absent, a 400 problem when unknown."""
    raw = request.args.get(name)
    if raw is None:
        return None
    allowed = [member.value for member in enum]
    if raw not in allowed:
        detail = _("%(name)s must be one of: %(values)s.", name=name, values=", ".join(allowed))
        abort(problem(400, "Bad Request", detail,
                      invalid_params=[{"name": name, "reason": detail}]))
    return enum(raw)


def _int_filter(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        detail = _("%(name)s must be a whole number.", name=name)
        abort(problem(400, "Bad Request", detail,
                      invalid_params=[{"name": name, "reason": detail}]))
    return int(raw)


@bp.get("/reports")
@signed_in
def report_list() -> Response:
    """Training reports the viewer may read, optionally by ``status`` and ``cohort``."""
    status = _enum_filter("status", ReportStatus)
    cohort_id = _int_filter("cohort")
    query = (select(TrainingReport).join(Training, Training.id == TrainingReport.training_id)
             .where(training_visible_to(current_user)))
    if status is not None:
        query = query.where(TrainingReport.status == status)
    if cohort_id is not None:
        query = query.where(Training.cohort_id == cohort_id)
    query = query.order_by(TrainingReport.submitted_at.desc().nulls_last(),
                           TrainingReport.id.desc())

    def report_json(report: TrainingReport) -> dict[str, Any]:
        return {**_report_json(report), "cohort_id": report.training.cohort_id,
                "country_code": report.training.country_code,
                "trainer": _user_summary(report.training.trainer),
                "training_url": url_for("api.training", training_id=report.training_id,
                                        _external=True)}

    return paginate_query(query, report_json)


# --- certificates --------------------------------------------------------------------------


def certificates_query(viewer: User) -> Select[tuple[Certificate]]:
    """Certificates the viewer may see: admins all; focal points and coordinators those of
    holders from their countries; facilitators those of their cohorts; others their own."""
    query = select(Certificate)
    if viewer.role == Role.ADMIN:
        return query
    if viewer.role == Role.FACILITATOR:
        return query.where(exists().where(CohortFacilitator.cohort_id == Certificate.cohort_id,
                                          CohortFacilitator.user_id == viewer.id))
    countries = scoped_countries(viewer)
    if countries is not None:
        return query.where(exists().where(User.id == Certificate.user_id,
                                          User.country_code.in_(countries)))
    return query.where(Certificate.user_id == viewer.id)


@bp.get("/certificates")
@signed_in
def certificate_list() -> Response:
    status = _enum_filter("status", CertificateStatus)
    cohort_id = _int_filter("cohort")
    query = certificates_query(current_user)
    if status is not None:
        query = query.where(Certificate.status == status)
    if cohort_id is not None:
        query = query.where(Certificate.cohort_id == cohort_id)
    query = query.order_by(Certificate.issued_at.desc(), Certificate.id.desc())

    def certificate_json(certificate: Certificate) -> dict[str, Any]:
        return {
            "id": certificate.id,
            "serial": certificate.serial,
            "status": certificate.status.value,
            "holder_name": certificate.holder_name,
            "holder_id": certificate.user_id,
            "cohort": {"id": certificate.cohort.id, "name": certificate.cohort.name},
            "issued_at": plain(certificate.issued_at),
            "verification_url": verification_url(certificate.code),
        }

    return paginate_query(query, certificate_json)


# --- dashboards ----------------------------------------------------------------------------


def figure_json(figure: Figure) -> dict[str, Any]:
    return {
        "id": figure.id,
        "title": figure.title,
        "n": figure.n,
        "as_of": plain(figure.as_of),
        "columns": [{"key": column.key, "label": column.label, "kind": column.kind}
                    for column in figure.table.columns],
        "rows": [plain(dict(row)) for row in figure.table.rows],
        "note": figure.note,
        "suppressed_groups": figure.suppressed_groups,
    }


def _dashboard_url(slug: str) -> str:
    return url_for("api.dashboard", slug=slug, _external=True)


@bp.get("/dashboards")
@roles(*DASHBOARD_ROLES)
def dashboard_list() -> Response:
    ordered = sorted(DASHBOARDS.values(), key=lambda board: (board.order, board.slug))
    return paginate_list([{"slug": board.slug, "title": str(board.title()),
                           "description": str(board.description()),
                           "url": _dashboard_url(board.slug)} for board in ordered])


@bp.get("/dashboards/<slug>")
@roles(*DASHBOARD_ROLES)
def dashboard(slug: str) -> Response:
    """Every figure of a dashboard (the items), built for the viewer with the query's
    filters (``cohort``, ``country``, ``organisation_type``, ``from``, ``to``)."""
    board = DASHBOARDS.get(slug)
    if board is None:
        _not_found()
    filters = Filters.parse(request.args)
    figures = build_cached(board, current_user, filters)
    return paginate_list([figure_json(figure) for figure in figures], slug=board.slug,
                         title=str(board.title()), filters=filters.query_args())


# --- the description of all this ----------------------------------------------------------


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    response = jsonify(openapi.document())
    response.headers["Access-Control-Allow-Origin"] = "*"  # a public description
    return response
