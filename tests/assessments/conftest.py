"""Question-type fixtures: one question of each type read through the real loader, and a
renderer for the question templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, render_template

import learning.assessments
from learning.assessments.types import question_type
from learning.content.loader import load_catalogue
from learning.content.schema import Question, QuestionBank

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATES = Path(learning.assessments.__file__).parent / "templates"


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    found = load_catalogue(FIXTURES).quiz("question-types")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def question(bank: QuestionBank) -> Callable[[str], Question]:
    def lookup(question_id: str) -> Question:
        found = bank.question(question_id)
        assert found is not None, question_id
        return found

    return lookup


@pytest.fixture
def render(app: Flask) -> Callable[..., str]:
    """``render(question, value=None, language="en", show_feedback=False, feedback=None)``:
    the question's template, as a view renders it inside a request."""
    # The assessments package's own templates folder, loaded by a blueprint of the test's
    # own so the test does not depend on how the app registers the assessments pages.
    app.register_blueprint(Blueprint("question_templates", __name__,
                                     template_folder=str(TEMPLATES)))

    def rendered(question: Question, value: Any = None, *, language: str = "en",
                 show_feedback: bool = False, feedback: Any = None) -> str:
        with app.test_request_context("/"):
            return render_template(question_type(question.type).template, question=question,
                                   value=value, field=f"q-{question.id}", language=language,
                                   show_feedback=show_feedback, feedback=feedback)

    return rendered
