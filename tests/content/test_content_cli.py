"""``flask --app app content check`` through the application's CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from learning.content.cli import content_cli


@pytest.fixture
def content_runner(app: Flask, runner: FlaskCliRunner) -> FlaskCliRunner:
    assert app.cli.commands.get("content") is content_cli
    return runner


def test_check_passes_on_valid_content(content_runner: FlaskCliRunner, valid_root: Path) -> None:
    result = content_runner.invoke(args=["content", "check", "--path", str(valid_root)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Content OK: 1 units, 2 sections, 1 question banks; words: en 112, fr 131"
    )
    assert result.stderr == ""


def test_check_uses_content_path_by_default(app: Flask, content_runner: FlaskCliRunner,
                                            valid_root: Path) -> None:
    app.config["CONTENT_PATH"] = valid_root
    result = content_runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Content OK: 1 units")


def test_check_fails_naming_file_and_line(content_runner: FlaskCliRunner,
                                          content_root: Path) -> None:
    (content_root / "modules/sample-module/02-recap-and-action-plan.fr.md").unlink()
    unit_yaml = content_root / "modules/sample-module/unit.yaml"
    unit_yaml.write_text(unit_yaml.read_text(encoding="utf-8").replace(
        "quiz: quiz-sample-module", "quiz: quiz-missing"), encoding="utf-8")
    result = content_runner.invoke(args=["content", "check", "--path", str(content_root)])
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert ("modules/sample-module/unit.yaml:6: quiz 'quiz-missing' does not exist in "
            "quizzes/ (expected quizzes/quiz-missing.yaml)") in errors
    assert any(line.startswith("modules/sample-module/02-recap-and-action-plan.en.md:1: "
                               "the French version is missing") for line in errors)
    assert errors[-1].startswith(f"{len(errors) - 1} problem(s)")
