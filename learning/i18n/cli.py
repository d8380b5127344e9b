"""``flask i18n extract|update|compile|check``: pybabel wrapped, plus the catalog check."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask.cli import AppGroup

from learning.config import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
BABEL_CFG = PROJECT_ROOT / "babel.cfg"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdf]|%[sdf]|\{(\w*)\}")


def _pybabel(*args: str) -> None:
    command = [sys.executable, "-m", "babel.messages.frontend", "--quiet", *args]
    # Fixed arguments run with our own interpreter.
    subprocess.run(command, check=True, cwd=PROJECT_ROOT)  # noqa: S603


def extract_to(path: Path) -> None:
    _pybabel(
        "extract", "-F", str(BABEL_CFG), "-k", "_l", "-k", "lazy_gettext",
        "--no-location", "--sort-output", "--omit-header", "-o", str(path), "learning",
    )


def _ids(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


def _placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def check_catalogs() -> list[str]:
    """Every problem with the catalogs, as readable lines (empty when all is well)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / "fresh.pot"
        extract_to(fresh_path)
        with fresh_path.open("rb") as handle:
            fresh = read_po(handle)
    with POT.open("rb") as handle:
        committed = read_po(handle)
    missing = _ids(fresh) - _ids(committed)
    stale = _ids(committed) - _ids(fresh)
    for msgid in sorted(map(str, missing)):
        problems.append(f"messages.pot is out of date: missing {msgid!r} (run make i18n)")
    for msgid in sorted(map(str, stale)):
        problems.append(f"messages.pot is out of date: {msgid!r} is no longer used")
    for locale_dir in sorted(TRANSLATIONS.iterdir()):
        po_path = locale_dir / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle)
        lang = locale_dir.name
        for msgid in sorted(map(str, _ids(fresh) - _ids(catalog))):
            problems.append(f"{lang}: no entry for {msgid!r}")
        for message in catalog:
            if not message.id:
                continue
            ids = [str(i) for i in message.id] if isinstance(message.id, tuple | list) \
                else [str(message.id)]
            strings = [str(s or "") for s in message.string] \
                if isinstance(message.string, tuple | list) else [str(message.string or "")]
            label = f"{lang}: {ids[0]!r}"
            if message.fuzzy:
                problems.append(f"{label} is fuzzy")
            if not all(strings):
                problems.append(f"{label} is not translated")
                continue
            expected = _placeholders(ids[-1])
            for text in strings:
                if _placeholders(text) != expected and _placeholders(text) != _placeholders(ids[0]):
                    problems.append(f"{label}: placeholders differ ({text!r})")
    return problems


@click.group("i18n", cls=AppGroup)
def i18n_cli() -> None:
    """Translation catalogs."""


@i18n_cli.command("extract")
def extract_command() -> None:
    """Extract messages into translations/messages.pot and update every catalog."""
    extract_to(POT)
    _pybabel("update", "-i", str(POT), "-d", str(TRANSLATIONS), "--no-fuzzy-matching",
             "--ignore-obsolete")
    click.echo(f"Updated {POT.relative_to(PROJECT_ROOT)} and the catalogs.")


@i18n_cli.command("compile")
def compile_command() -> None:
    """Compile the .po catalogs to .mo files."""
    _pybabel("compile", "-d", str(TRANSLATIONS))


@i18n_cli.command("check")
def check_command() -> None:
    """Fail on untranslated, fuzzy or mismatched entries and on a stale messages.pot."""
    problems = check_catalogs()
    for line in problems:
        click.echo(line, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Translations are complete and in step with the code.")
