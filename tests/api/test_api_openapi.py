"""The OpenAPI document describes exactly the routes under /api/v1, and is valid 3.1."""

from __future__ import annotations

import re

from flask import Flask


def _document(app: Flask) -> dict:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _routes(app: Flask) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route of the app under /api/v1."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_every_api_route_is_described_and_nothing_else(app: Flask) -> None:
    document = _document(app)
    described = {(path, method) for path, item in document["paths"].items()
                 for method in item if method in {"get", "post", "put", "patch", "delete"}}
    routes = _routes(app)
    assert routes - described == set(), "routes missing from openapi.json"
    assert described - routes == set(), "openapi.json describes routes that do not exist"


def test_path_parameters_match_the_routes(app: Flask) -> None:
    document = _document(app)
    parameters = document["components"]["parameters"]
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{([a-z_]+)}", path))
        for operation in item.values():
            declared = set()
            for parameter in operation.get("parameters", []):
                if "$ref" in parameter:
                    parameter = parameters[parameter["$ref"].rsplit("/", 1)[1]]
                if parameter["in"] == "path":
                    declared.add(parameter["name"])
            assert declared == in_path, path


def test_every_list_documents_pagination_and_problems(app: Flask) -> None:
    document = _document(app)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            ok = operation["responses"].get("200", {})
            schema = ok.get("content", {}).get("application/json", {}).get("schema", {})
            if {"$ref": "#/components/schemas/Page"} in schema.get("allOf", []):
                names = {parameter["$ref"].rsplit("/", 1)[1]
                         for parameter in operation["parameters"] if "$ref" in parameter}
                assert {"page", "per_page"} <= names, (path, method)
                assert "400" in operation["responses"], (path, method)
            if operation.get("security") != []:
                assert "401" in operation["responses"], (path, method)
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["properties"])
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_the_document_is_valid_openapi_31(app: Flask) -> None:
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation import OpenAPIV31SpecValidator

    validate(_document(app), cls=OpenAPIV31SpecValidator)
