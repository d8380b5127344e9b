"""Pagination of every API list: ``?page=1&per_page=50`` in, one envelope out.

The envelope is ``{"items", "page", "per_page", "total", "next", "prev"}`` (``next`` and
``prev`` are absolute URLs or null) and the same links go in an RFC 8288 ``Link`` header
(``first``, ``prev``, ``next``, ``last``). Bad values are refused with a 400 problem, not
silently corrected, so a client's bug shows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, abort, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from learning.api.problems import problem
from learning.db import db

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    number: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page


def _positive(name: str, default: int, maximum: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1 or (maximum is not None and int(raw) > maximum):
        detail = (_("%(name)s must be a whole number from 1 to %(max)d.", name=name, max=maximum)
                  if maximum is not None else
                  _("%(name)s must be a whole number of at least 1.", name=name))
        abort(problem(400, "Bad Request", detail, invalid_params=[{"name": name,
                                                                    "reason": detail}]))
    return int(raw)


def page_request() -> PageRequest:
    """The page asked for in the query string (400 problem when malformed)."""
    return PageRequest(number=_positive("page", 1),
                       per_page=_positive("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE))


def _page_url(number: int, per_page: int) -> str:
    args = {**request.args.to_dict(), "page": str(number), "per_page": str(per_page)}
    assert request.endpoint is not None
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def envelope(items: list[dict[str, Any]], total: int, page: PageRequest,
             **extra: Any) -> Response:
    """The JSON response for one page of ``total`` items (``extra``: more top-level members)."""
    last = max(1, -(-total // page.per_page))
    next_url = _page_url(page.number + 1, page.per_page) if page.number < last else None
    prev_url = (_page_url(min(page.number - 1, last), page.per_page)
                if page.number > 1 else None)
    response = jsonify({"items": items, "page": page.number, "per_page": page.per_page,
                        "total": total, "next": next_url, "prev": prev_url, **extra})
    links = [f'<{_page_url(1, page.per_page)}>; rel="first"']
    if prev_url:
        links.append(f'<{prev_url}>; rel="prev"')
    if next_url:
        links.append(f'<{next_url}>; rel="next"')
    links.append(f'<{_page_url(last, page.per_page)}>; rel="last"')
    response.headers["Link"] = ", ".join(links)
    return response


def paginate_query(query: Select[tuple[T]], serialise: Callable[[T], dict[str, Any]],
                   **extra: Any) -> Response:
    """One page of a query's rows (the query must be ordered: pages must not overlap)."""
    page = page_request()
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(page.per_page).offset(page.offset)).unique()
    return envelope([serialise(row) for row in rows], int(total or 0), page, **extra)


def paginate_list(items: Sequence[dict[str, Any]], **extra: Any) -> Response:
    """One page of a list already built in memory (small lists: a cohort's people)."""
    page = page_request()
    return envelope(list(items[page.offset:page.offset + page.per_page]), len(items), page,
                    **extra)
