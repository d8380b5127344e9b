"""The OpenAPI 3.1 description of /api/v1, built in code next to the routes it describes.

``tests/api/test_api_openapi.py`` compares the paths and methods here with ``app.url_map``
both ways, so a route added without its description (or a description left for a removed
route) fails the suite. The xAPI intake (``xapi.py``) is described here too.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from learning.rollout.models import ReportStatus

PREFIX = "/api/v1"
PROBLEM = "application/problem+json"

Schema = dict[str, Any]

def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
# Record ids: 32-bit on both databases (a larger one in a URL is simply not found).
RECORD_ID: Schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
NUMBER: Schema = {"type": "number"}
DATE: Schema = {"type": "string", "format": "date"}
DATETIME: Schema = {"type": "string", "format": "date-time"}
URI: Schema = {"type": "string", "format": "uri"}
COUNTRY: Schema = {"type": "string", "pattern": "^[A-Z]{2}$"}


def _object(properties: dict[str, Schema], required: list[str] | None = None,
            **more: Any) -> Schema:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, **more}


def _schemas() -> dict[str, Schema]:
    person = _object({"id": INTEGER, "name": STRING})
    report = _object({"id": INTEGER, "training_id": INTEGER,
                      "status": {"type": "string",
                                 "enum": ["draft", "submitted", "changes_requested",
                                          "approved"]},
                      "submitted_at": _nullable(DATETIME), "decided_at": _nullable(DATETIME)})
    group = _object({"country_code": _nullable(COUNTRY), "paired_n": INTEGER,
                     "mean_pre": _nullable(NUMBER), "mean_post": _nullable(NUMBER),
                     "mean_difference": _nullable(NUMBER),
                     "class_average_gain": _nullable(NUMBER),
                     "pre_only": INTEGER, "post_only": INTEGER})
    return {
        "Problem": _object({
            "type": {"type": "string", "format": "uri-reference"},
            "title": STRING, "status": INTEGER, "detail": STRING,
            "instance": {"type": "string", "format": "uri-reference"},
            "invalid_params": {"type": "array", "items": _object(
                {"name": STRING, "reason": STRING})},
        }, required=["type", "title", "status"],
            description="RFC 9457 problem details."),
        "Page": _object({
            "items": {"type": "array", "items": {}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 200},
            "total": {"type": "integer", "minimum": 0},
            "next": _nullable(URI), "prev": _nullable(URI),
        }, description="The envelope of every list; the same links are in the Link header."),
        "Person": person,
        "Me": _object({"id": INTEGER, "name": STRING, "email": STRING,
                       "role": {"type": "string", "enum": ["participant", "facilitator",
                                                           "focal_point", "coordinator",
                                                           "admin"]},
                       "language": STRING, "country_code": _nullable(COUNTRY),
                       "focal_countries": {"type": "array", "items": COUNTRY},
                       "organisation": _nullable(STRING)}),
        "Cohort": _object({"id": INTEGER, "name": STRING, "slug": STRING,
                           "languages": {"type": "array", "items": STRING},
                           "venue": STRING, "start_date": DATE, "end_date": DATE,
                           "precourse_deadline": _nullable(DATE),
                           "countries": {"type": "array", "items": COUNTRY}, "url": URI}),
        "CohortDetail": {"allOf": [_ref("Cohort"), _object(
            {"facilitators": {"type": "array", "items": _ref("Person")}})]},
        "Enrolment": _object({
            "id": INTEGER,
            "status": {"type": "string",
                       "enum": ["nominated", "alternate", "confirmed", "withdrawn"]},
            "person": _object({"id": INTEGER, "name": STRING,
                               "country_code": _nullable(COUNTRY)}),
            "organisation": _nullable(STRING),
            "progress": _nullable(_object({
                "steps_done": {"type": "array", "items": STRING},
                "steps_total": INTEGER, "modules_done": INTEGER, "modules_total": INTEGER,
                "last_activity": _nullable(DATETIME)})),
        }),
        "LearnerResults": _object({
            "person": _object({"id": INTEGER, "name": STRING,
                               "country_code": _nullable(COUNTRY)}),
            "tests": {"type": "array", "items": _object({
                "bank_id": STRING, "pre": _nullable(NUMBER), "post": _nullable(NUMBER),
                "difference": _nullable(NUMBER), "gain": _nullable(NUMBER)})},
        }),
        "KnowledgeGroup": group,
        "ResultsSummary": _object({
            "people_shown": {"type": "boolean",
                             "description": "False for focal points and coordinators: "
                                            "aggregates of their countries only."},
            "knowledge": {"type": "array", "items": _object({
                "bank_id": STRING, "overall": _ref("KnowledgeGroup"),
                "countries": {"type": "array", "items": _ref("KnowledgeGroup")}})},
            "confidence": {"type": "array", "items": _object({
                "bank_id": STRING, "respondents_before": INTEGER,
                "respondents_after": INTEGER,
                "areas": {"type": "array", "items": _object({
                    "area": STRING, "median_before": _nullable(NUMBER),
                    "median_after": _nullable(NUMBER), "rose": INTEGER, "same": INTEGER,
                    "fell": INTEGER})}})},
        }),
        "Report": report,
        "ReportListItem": {"allOf": [_ref("Report"), _object({
            "cohort_id": INTEGER, "country_code": COUNTRY, "trainer": _ref("Person"),
            "training_url": URI})]},
        "Training": _object({
            "id": INTEGER, "cohort_id": INTEGER, "country_code": COUNTRY,
            "trainer": _ref("Person"), "start_date": _nullable(DATE),
            "end_date": _nullable(DATE), "days": _nullable(INTEGER), "region_city": STRING,
            "language": STRING, "delivery_mode": _nullable(STRING),
            "modules": {"type": "array", "items": INTEGER},
            "participants_total": INTEGER, "female": INTEGER, "male": INTEGER,
            "other_gender": INTEGER,
            "organisations": {"type": "array", "items": _object({"name": STRING,
                                                                  "type": STRING})},
            "pre_test_average": _nullable(NUMBER), "post_test_average": _nullable(NUMBER),
            "report": _nullable(_ref("Report")), "url": URI}),
        "Certificate": _object({
            "id": INTEGER, "serial": STRING,
            "status": {"type": "string", "enum": ["valid", "revoked", "superseded"]},
            "holder_name": STRING, "holder_id": _nullable(INTEGER),
            "cohort": _object({"id": INTEGER, "name": STRING}), "issued_at": DATETIME,
            "verification_url": URI}),
        "UnmatchedStatement": _object({
            "statement_id": STRING, "reason": _nullable(STRING), "actor": {},
            "verb": _nullable(STRING), "activity": _nullable(STRING),
            "unit_id": _nullable(STRING), "timestamp": _nullable(DATETIME),
            "stored_at": DATETIME}),
        "DashboardSummary": _object({"slug": STRING, "title": STRING, "description": STRING,
                                     "url": URI}),
        "Figure": _object({
            "id": STRING, "title": STRING, "n": INTEGER, "as_of": DATETIME,
            "columns": {"type": "array", "items": _object({
                "key": STRING, "label": STRING,
                "kind": {"type": "string",
                         "enum": ["text", "count", "percent", "number", "date"]}})},
            "rows": {"type": "array", "items": {"type": "object",
                                                 "description": "Values by column key; "
                                                                "percentages as fractions."}},
            "note": STRING, "suppressed_groups": INTEGER}),
    }


def _page_of(item: str, **extra: Schema) -> Schema:
    properties: dict[str, Schema] = {"items": {"type": "array", "items": _ref(item)}, **extra}
    return {"allOf": [_ref("Page"), _object(properties)]}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


LINK_HEADER = {"description": "RFC 8288 links: first, prev, next, last.", "schema": STRING}


def _responses() -> dict[str, Any]:
    return {
        "BadRequest": _problem_response("Malformed query parameter (problem details)."),
        "Unauthorized": {**_problem_response(
            "No token, or a revoked, expired or unknown one."),
            "headers": {"WWW-Authenticate": {"schema": STRING}}},
        "Forbidden": _problem_response("The token's person has a role without access."),
        "NotFound": _problem_response("No such object, or outside the person's scope."),
        "TooManyRequests": {**_problem_response("Rate limit of the token reached."),
                            "headers": {"Retry-After": {"schema": INTEGER}}},
    }


def _parameters() -> dict[str, Any]:
    def query(name: str, schema: Schema, description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": False, "schema": schema,
                "description": description}

    return {
        "page": query("page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1,
                               "default": 1},
                      "Page number, from 1."),
        "per_page": query("per_page",
                          {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                          "Items per page, at most 200."),
        "cohort_id": {"name": "cohort_id", "in": "path", "required": True,
                      "schema": RECORD_ID},
        "training_id": {"name": "training_id", "in": "path", "required": True,
                        "schema": RECORD_ID},
        "slug": {"name": "slug", "in": "path", "required": True, "schema": STRING},
        "cohort_filter": query("cohort", RECORD_ID, "Only this cohort."),
        "report_status": query("status", {"type": "string", "enum": [
            status.value for status in ReportStatus]}, "Only this status."),
        "certificate_status": query("status", {"type": "string", "enum": [
            "valid", "revoked", "superseded"]}, "Only this status."),
        "country": query("country", COUNTRY, "Only people of this country."),
        "organisation_type": query("organisation_type", STRING,
                                   "Only people of this organisation type."),
        "from": query("from", DATE, "Events from this day."),
        "to": query("to", DATE, "Events up to this day, inclusive."),
    }


def _param(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def _error(name: str) -> Schema:
    return {"$ref": f"#/components/responses/{name}"}


def _get(summary: str, schema: Schema, *, params: tuple[str, ...] = (), paged: bool = False,
         roles: str = "every role", public: bool = False) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": "OK",
                          "content": {"application/json": {"schema": schema}}}
    parameters = [_param(name) for name in params]
    responses: dict[str, Any] = {"200": ok}
    if paged:
        ok["headers"] = {"Link": {"$ref": "#/components/headers/Link"}}
        parameters += [_param("page"), _param("per_page")]
        responses["400"] = _error("BadRequest")
    if not public:
        responses.update({"401": _error("Unauthorized"), "403": _error("Forbidden"),
                          "429": _error("TooManyRequests")})
    if any(name in ("cohort_id", "training_id", "slug") for name in params):
        responses["404"] = _error("NotFound")
    operation: dict[str, Any] = {
        "summary": summary,
        "description": f"Allowed: {roles}; objects are scoped like the web pages.",
        "parameters": parameters,
        "responses": responses,
    }
    if public:
        operation["security"] = []
    return {"get": operation}


STAFF = "admin, facilitator, focal point, coordinator"


def _paths() -> dict[str, dict[str, Any]]:
    cohort = ("cohort_id",)
    return {
        f"{PREFIX}/me": _get("The token's person", _ref("Me")),
        f"{PREFIX}/cohorts": _get("Cohorts in scope", _page_of("Cohort"), paged=True),
        f"{PREFIX}/cohorts/{{cohort_id}}": _get("One cohort", _ref("CohortDetail"),
                                                 params=cohort),
        f"{PREFIX}/cohorts/{{cohort_id}}/enrolments": _get(
            "Enrolments with each person's progress",
            _page_of("Enrolment", steps={"type": "array", "items": STRING}),
            params=cohort, paged=True, roles=STAFF),
        f"{PREFIX}/cohorts/{{cohort_id}}/results": _get(
            "Knowledge pre/post per person (facilitators, admins) and summaries",
            _page_of("LearnerResults", summary=_ref("ResultsSummary")),
            params=cohort, paged=True, roles=STAFF),
        f"{PREFIX}/cohorts/{{cohort_id}}/trainings": _get(
            "Roll-out trainings of a cohort", _page_of("Training"), params=cohort,
            paged=True),
        f"{PREFIX}/trainings/{{training_id}}": _get("One training", _ref("Training"),
                                                     params=("training_id",)),
        f"{PREFIX}/reports": _get("Training reports with their status",
                                  _page_of("ReportListItem"),
                                  params=("report_status", "cohort_filter"), paged=True),
        f"{PREFIX}/certificates": _get(
            "Certificates (admins all; focal points and coordinators their countries' "
            "holders; facilitators their cohorts; participants their own)",
            _page_of("Certificate"), params=("certificate_status", "cohort_filter"),
            paged=True),
        f"{PREFIX}/dashboards": _get("Dashboards", _page_of("DashboardSummary"), paged=True,
                                     roles=STAFF),
        f"{PREFIX}/dashboards/{{slug}}": _get(
            "Every figure of a dashboard, with its filters",
            _page_of("Figure", slug=STRING, title=STRING,
                     filters={"type": "object", "additionalProperties": STRING}),
            params=("slug", "cohort_filter", "country", "organisation_type", "from", "to"),
            paged=True, roles=STAFF),
        f"{PREFIX}/openapi.json": _get("This document", {"type": "object"}, public=True),
    }


def _xapi_paths() -> dict[str, dict[str, Any]]:
    version = {"name": "X-Experience-API-Version", "in": "header", "required": True,
               "schema": {"type": "string", "pattern": "^1\\.0(\\.[0-9]+)?$"}}
    statements = {"description": "One xAPI statement (object) or several (array).",
                  "required": True,
                  "content": {"application/json": {"schema": {
                      "anyOf": [{"type": "object"}, {"type": "array",
                                                      "items": {"type": "object"}}]}}}}
    errors = {"400": _problem_response("Invalid statement or request: nothing is stored."),
              "401": _error("Unauthorized"),
              "403": _problem_response("The token is not an administrator's."),
              "409": _problem_response("The same statement id with different content.")}
    auth: list[dict[str, list[str]]] = [{"bearer": []}, {"basic": []}]
    note = ("Authenticated with an administrator's API token, as Bearer or as the Basic "
            "password (any user name). Idempotent by statement id.")
    return {
        f"{PREFIX}/xapi/statements": {
            "post": {"summary": "Receive xAPI statements", "description": note,
                     "security": auth, "parameters": [version], "requestBody": statements,
                     "responses": {"200": {"description": "The ids of the statements.",
                                           "content": {"application/json": {"schema": {
                                               "type": "array", "items": STRING}}}},
                                   **errors}},
            "put": {"summary": "Receive one xAPI statement with a given id",
                    "description": note, "security": auth,
                    "parameters": [version, {"name": "statementId", "in": "query",
                                             "required": True,
                                             "schema": {"type": "string",
                                                        "format": "uuid"}}],
                    "requestBody": statements,
                    "responses": {"204": {"description": "Stored (or already stored)."},
                                  **errors}},
        },
        f"{PREFIX}/xapi/unmatched": _get(
            "xAPI statements whose person or unit is unknown", _page_of("UnmatchedStatement"),
            paged=True, roles="admin"),
    }


def document() -> dict[str, Any]:
    paths = {**_paths(), **_xapi_paths()}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tandem API",
            "version": "1.0.0",
            "description": (
                "Read-only access to cohorts, progress, results, roll-out, certificates and "
                "dashboard figures, scoped like the person whose personal access token is "
                "used (create one under My account → API tokens). The session cookie is not "
                "accepted. Errors are RFC 9457 problem details; lists are paginated."),
        },
        "servers": [{"url": current_app.config.get("BASE_URL") or "/"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http", "scheme": "bearer", "bearerFormat": "tdm_<43 characters>",
                    "description": "A personal access token: Authorization: Bearer tdm_…"},
                "basic": {
                    "type": "http", "scheme": "basic",
                    "description": "xAPI intake only: any user name, the token as password."},
            },
            "schemas": _schemas(),
            "parameters": _parameters(),
            "responses": _responses(),
            "headers": {"Link": LINK_HEADER},
        },
    }
