"""The course catalogue inside the app: loaded once per content version, shared read-only.

Loading renders every section (about half a second), so the result is kept per content
root and fingerprint (file names, sizes and modification times): a restarted or second
app on unchanged content reuses it, and edited content is reloaded.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask, current_app

from learning.content.loader import read_content
from learning.content.schema import Catalogue

_cache: dict[tuple[str, tuple[tuple[str, int, int], ...]], Catalogue] = {}
_lock = threading.Lock()


def _fingerprint(root: Path) -> tuple[tuple[str, int, int], ...]:
    files = []
    for folder in ("modules", "quizzes"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                stat = path.stat()
                files.append((str(path.relative_to(root)), stat.st_size, stat.st_mtime_ns))
    return tuple(files)


def load(root: Path) -> Catalogue:
    key = (str(root.resolve()), _fingerprint(root))
    with _lock:
        if key not in _cache:
            content = read_content(root)
            for problem in content.problems:
                # `flask content check` (run by `make run` and CI) refuses broken content;
                # a server started anyway logs what is wrong instead of failing every page.
                current_app.logger.error("Content problem: %s", problem)
            _cache.clear()
            _cache[key] = content.catalogue
        return _cache[key]


def init_app(app: Flask) -> None:
    with app.app_context():
        app.extensions["tandem_catalogue"] = load(Path(app.config["CONTENT_PATH"]))


def get_catalogue() -> Catalogue:
    catalogue: Catalogue = current_app.extensions["tandem_catalogue"]
    return catalogue
