"""Fixture content: a small valid course root, and writable copies to break on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

VALID_ROOT = Path(__file__).parent / "fixtures" / "valid"


@pytest.fixture
def valid_root() -> Path:
    """The valid fixture root itself: read it, never write to it."""
    return VALID_ROOT


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A private copy of the valid root that a test may break."""
    root = tmp_path / "content"
    shutil.copytree(VALID_ROOT, root)
    return root
