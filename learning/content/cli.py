"""``flask --app app content check``: validate ``modules/`` and ``quizzes/``.

The only module of ``learning.content`` that knows about Flask: it reads the content root
from ``CONTENT_PATH`` unless ``--path`` names another one.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from learning.content.checks import check_loaded
from learning.content.loader import read_content


@click.group("content")
def content_cli() -> None:
    """Course content: units (modules/) and question banks (quizzes/)."""


@content_cli.command("check")
@click.option("--path", "root", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Content root holding modules/ and quizzes/ (default: CONTENT_PATH).")
@with_appcontext
@click.pass_context
def check_command(context: click.Context, root: Path | None) -> None:
    """Report every content problem as file:line: message; exit 1 if there is any."""
    root = root or Path(current_app.config["CONTENT_PATH"])
    content = read_content(root)
    problems = check_loaded(content)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(problems)} problem(s) in the content under {root}", err=True)
        context.exit(1)
    catalogue = content.catalogue
    sections = sum(len(unit.sections) for unit in catalogue.units)
    click.echo(
        f"Content OK: {len(catalogue.units)} units, {sections} sections, "
        f"{len(catalogue.quizzes)} question banks; words: "
        f"en {catalogue.words('en'):,}, fr {catalogue.words('fr'):,}"
    )
