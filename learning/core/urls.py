"""Redirect targets: only paths on this site."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import url_for


def is_local_path(target: str | None) -> bool:
    """True for a plain local path such as ``/cohorts/3?tab=people``.

    Refuses absolute URLs, scheme-relative ``//host``, backslash tricks (``/\\host``, which
    browsers treat as ``//host``), control characters and any of these once percent-decoded.
    """
    if not target or len(target) > 2000:
        return False
    for candidate in (target, unquote(target), unquote(unquote(target))):
        if not candidate.startswith("/") or candidate.startswith(("//", "/\\")):
            return False
        if "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
            return False
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return False
    return True


def safe_next(target: str | None, default_endpoint: str = "core.home") -> str:
    return target if target and is_local_path(target) else url_for(default_endpoint)
