"""The access policy, in one place: which roles may reach each route.

Every view declares its rule with one of the decorators below. A request to an endpoint
without a rule is refused (deny by default), so a new route cannot go live unguarded, and
the role-matrix test in ``tests/test_access_matrix.py`` fails until it is listed there.

Route rules answer "may this role use this page at all"; which *objects* a person may
see is decided inside the services' queries (``learning.scope``), so an object outside
someone's scope is simply not found (404).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import (
    Flask,
    abort,
    current_app,
    has_request_context,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from learning.accounts.models import Role

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = frozenset(Role)
STAFF = frozenset({Role.FACILITATOR, Role.FOCAL_POINT, Role.COORDINATOR, Role.ADMIN})
INVITERS = frozenset({Role.FACILITATOR, Role.COORDINATOR, Role.ADMIN})


@dataclass(frozen=True)
class Rule:
    anonymous: bool
    roles: frozenset[Role]

    def allows(self, user: Any) -> bool:
        if not user.is_authenticated:
            return self.anonymous
        return user.role in self.roles


def _tag(rule: Rule) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate


def public(view: F) -> F:
    """Anyone, signed in or not."""
    return _tag(Rule(anonymous=True, roles=ALL_ROLES))(view)


def signed_in(view: F) -> F:
    """Any signed-in person."""
    return _tag(Rule(anonymous=False, roles=ALL_ROLES))(view)


def roles(*allowed: Role | Iterable[Role]) -> Callable[[F], F]:
    """Signed-in people with one of these roles."""
    flat: set[Role] = set()
    for item in allowed:
        flat.update([item] if isinstance(item, Role) else item)
    return _tag(Rule(anonymous=False, roles=frozenset(flat)))


def rule_for(endpoint: str | None) -> Rule | None:
    if endpoint is None:
        return None
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


# The JSON API: personal access tokens only, errors as RFC 9457 problem details.
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return has_request_context() and request.path.startswith(API_PREFIX)


def wants_json() -> bool:
    return request.path.startswith(API_PREFIX) or (
        request.accept_mimetypes.best_match(["application/json", "text/html"])
        == "application/json"
    )


def _deny(status: int) -> Any:
    if is_api_request():
        from learning.api.problems import status_problem

        return status_problem(status)
    if wants_json():
        message = _("Sign-in required.") if status == 401 else _("Not allowed.")
        response = jsonify(error=message, status=status)
        response.status_code = status
        return response
    if status == 401:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(status)


def enforce() -> Any:
    """``before_request`` hook: apply the route's rule, deny when it has none."""
    if request.endpoint in (None, "static"):
        return None
    rule = rule_for(request.endpoint)
    if rule is None:
        current_app.logger.error("No access rule for endpoint %s: denied", request.endpoint)
        return _deny(403)
    if rule.allows(current_user):
        return None
    return _deny(401 if not current_user.is_authenticated else 403)


def init_app(app: Flask) -> None:
    app.before_request(enforce)
