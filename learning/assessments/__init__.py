"""Assessments: quizzes, the knowledge test, questionnaires and surveys, on one engine.

``bp`` holds the participant's pages (routes in ``views``); :func:`init_app` registers what
other domains ask of this one.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("assessments", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Answer the cohort progress table's "pre-evaluation" step: who submitted the
    knowledge test before the modules."""
    from learning.assessments.services import pre_evaluation_done
    from learning.courses.steps import PRE_EVALUATION, register_step_provider

    register_step_provider(PRE_EVALUATION, pre_evaluation_done)
