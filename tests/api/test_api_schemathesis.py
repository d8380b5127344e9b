"""Schemathesis against /api/v1/openapi.json, in-process: generated requests for every
operation, as an admin's token, never get a 5xx and every answer matches the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import ignored_auth
from schemathesis.core.failures import FailureGroup

from learning.accounts.models import Role, User
from learning.api.tokens import create_token
from learning.db import db
from tests.test_access_matrix import world  # noqa: F401  (fixture)


def _token_of(app, person) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        _token, secret = create_token(db.session.get(User, person.id), "schemathesis")
        db.session.commit()
    return secret


@pytest.mark.filterwarnings("ignore")  # schemathesis' own deprecation notices
def test_every_operation_answers_as_documented(app, world, make_user) -> None:  # noqa: F811
    people, _ids = world
    secret = _token_of(app, people["admin"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    failures: list[str] = []
    for operation in operations:
        if operation.method.upper() != "GET":
            continue  # the xAPI intake writes; its own tests cover hostile statements

        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers={"Authorization": f"Bearer {secret}"})
            assert response.status_code < 500, f"{case.method} {case.formatted_path}"
            # Refusing bad tokens is tested on its own (test_api_tokens_and_errors); here the
            # token is always a good one, which this check would mistake for ignored auth.
            case.validate_response(response, excluded_checks=[ignored_auth])

        try:
            check()
        except (AssertionError, FailureGroup) as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:600])
    assert failures == []
    assert Role.ADMIN  # the token used is an admin's: every operation is reachable
