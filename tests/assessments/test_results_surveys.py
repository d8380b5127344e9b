"""Survey and evaluation results: distributions, rankings, free text; anonymous responses
never shown for fewer than five people; English and French answers pooled."""

from __future__ import annotations

import re

import pytest

from learning.accounts.models import Role
from learning.assessments.models import Purpose
from tests.assessments.results_world import (
    add_anonymous_response,
    add_attempt,
    make_cohort,
    page_tables,
    table_rows,
    use_result_banks,
)

SURVEY = "results-survey"
EVALUATION = "results-evaluation"

# Five anonymous responses, three in English and two in French.
RESPONSES = [
    ("en", {"rv-likert": "strongly_agree",
            "rv-matrix": {"clear": "somewhat_agree", "tools": "strongly_agree"},
            "rv-ranking": ["m1", "m2", "m3"], "rv-rating": 8,
            "rv-comments": "More role plays"}),
    ("en", {"rv-likert": "somewhat_agree",
            "rv-matrix": {"clear": "somewhat_agree", "tools": "strongly_agree"},
            "rv-ranking": ["m2", "m1", "m3"], "rv-rating": 7,
            "rv-comments": "Shorter days"}),
    ("fr", {"rv-likert": "strongly_agree",
            "rv-matrix": {"clear": "strongly_agree"},  # "tools" left unanswered
            "rv-ranking": ["m1", "m3", "m2"], "rv-rating": 9,
            "rv-comments": "Plus de temps pour le module 4"}),
    ("fr", {"rv-likert": "somewhat_disagree",
            "rv-matrix": {"clear": "somewhat_disagree", "tools": "somewhat_agree"},
            "rv-ranking": ["m1", "m2", "m3"], "rv-rating": 6,
            "rv-comments": "Rien à changer"}),
    ("en", {"rv-likert": "strongly_agree",
            "rv-matrix": {"clear": "strongly_agree", "tools": "strongly_agree"},
            "rv-ranking": ["m3", "m1", "m2"], "rv-rating": 10,
            "rv-comments": "Keep the feelings check"}),
]
AGREEMENT = ["Strongly disagree", "Somewhat disagree", "Somewhat agree", "Strongly agree"]


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    cohort_id = make_cohort(app, ("BI", "NE"), facilitator)
    return cohort_id, facilitator


def _section(page: str, title: str) -> str:
    """The HTML of the survey section headed ``title``."""
    match = re.search(rf"<section[^>]*>\s*<h3[^>]*>{re.escape(title)}</h3>(.*?)</section>",
                      page, re.S)
    assert match, f"no section {title!r}"
    return match.group(1)


def test_four_anonymous_responses_are_not_shown_and_five_are(app, client, login,
                                                             cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    for language, answers in RESPONSES[:4]:
        add_anonymous_response(app, cohort_id, SURVEY, language, answers)
    login(facilitator)
    section = _section(client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True),
                       "Lessons-learned survey")
    assert "4 responses · anonymous" in section
    assert "fewer than 5 responses" in section
    assert "<table" not in section and "Shorter days" not in section

    add_anonymous_response(app, cohort_id, SURVEY, *RESPONSES[4])
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    section = _section(page, "Lessons-learned survey")
    assert "5 responses · anonymous" in section
    # English and French answers counted together: 3 "strongly agree" = 2 en + 1 fr.
    assert table_rows(section, caption="The training met my needs.") == [
        ["Answers", *AGREEMENT, "Responses"],
        ["All answers", "0 (0%)", "1 (20%)", "1 (20%)", "3 (60%)", "5"],
    ]
    # A matrix statement answered by only four people is not broken down.
    assert table_rows(section, caption="How far do you agree?") == [
        ["Statement", *AGREEMENT, "Responses"],
        ["The sessions were clear.", "0 (0%)", "1 (20%)", "2 (40%)", "2 (40%)", "5"],
        ["The tools are useful.", "fewer than 5 responses"],
    ]
    # Module 1 ranked 1, 2, 1, 1, 2 → mean 1.4, first three times.
    assert table_rows(section, caption="Rank the modules by usefulness.") == [
        ["Option", "Mean rank", "Ranked first", "Ranked by"],
        ["Module 1", "1.4", "3", "5"],
        ["Module 2", "2.2", "1", "5"],
        ["Module 3", "2.4", "1", "5"],
    ]
    rating = table_rows(section, caption="How useful was the training overall?")
    assert rating[0] == ["Answers", *(str(n) for n in range(11)), "Responses", "Median"]
    assert rating[1][7:12] == ["1 (20%)", "1 (20%)", "1 (20%)", "1 (20%)", "1 (20%)"]
    assert rating[1][-2:] == ["5", "8"]
    # Free text in alphabetical order (not the order they came in), marked by language.
    texts = re.findall(r'<li lang="(\w\w)">([^<]*)</li>', section)
    assert texts == [("en", "Keep the feelings check"), ("en", "More role plays"),
                     ("fr", "Plus de temps pour le module 4"), ("fr", "Rien à changer"),
                     ("en", "Shorter days")]


def test_named_evaluation_is_shown_without_names(app, client, login, make_user,
                                                 cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    first = make_user(Role.PARTICIPANT, name="Aline Hakizimana", country="BI")
    second = make_user(Role.PARTICIPANT, name="Moussa Garba", country="NE")
    add_attempt(app, first, cohort_id, EVALUATION, Purpose.ONCE,
                answers={"re-likert": "strongly_agree", "re-comments": "Well prepared"})
    add_attempt(app, second, cohort_id, EVALUATION, Purpose.ONCE,
                answers={"re-likert": "somewhat_agree", "re-comments": "Clear sessions"})
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    section = _section(page, "ToT evaluation")
    assert "2 responses" in section and "anonymous" not in section
    assert table_rows(section, caption="The facilitators were well prepared.")[1] == [
        "All answers", "0 (0%)", "0 (0%)", "1 (50%)", "1 (50%)", "2"]
    assert "Well prepared" in section and "Clear sessions" in section
    assert "Aline Hakizimana" not in page and "Moussa Garba" not in page


def test_focal_point_sees_neither_cohort_wide_anonymous_answers_nor_free_text(
        app, client, login, make_user, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator = cohort
    for language, answers in RESPONSES:
        add_anonymous_response(app, cohort_id, SURVEY, language, answers)
    burundian = make_user(Role.PARTICIPANT, country="BI")
    nigerien = make_user(Role.PARTICIPANT, country="NE")
    add_attempt(app, burundian, cohort_id, EVALUATION, Purpose.ONCE,
                answers={"re-likert": "strongly_agree", "re-comments": "From Burundi"})
    add_attempt(app, nigerien, cohort_id, EVALUATION, Purpose.ONCE,
                answers={"re-likert": "somewhat_agree", "re-comments": "From Niger"})
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]))
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    # Anonymous answers carry no country: in a two-country cohort they stay with its
    # facilitators.
    survey = _section(page, "Lessons-learned survey")
    assert "Anonymous responses cover the whole cohort, including other countries" in survey
    assert "5 responses" not in survey and "Download" not in survey
    assert "<table" not in survey and "More role plays" not in survey
    # Named answers: their country's only, counted but without the free text.
    evaluation = _section(page, "ToT evaluation")
    assert table_rows(evaluation, caption="The facilitators were well prepared.")[1] == [
        "All answers", "0 (0%)", "0 (0%)", "0 (0%)", "1 (100%)", "1"]
    assert "From Burundi" not in page and "From Niger" not in page
    assert "Free-text answers are shown to the cohort" in evaluation
    assert all(table.caption != "Any other comment?" for table in page_tables(page))


def test_single_country_focal_point_sees_anonymous_results_of_their_cohort(
        app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    use_result_banks(app)
    cohort_id = make_cohort(app, ("BI",))
    for language, answers in RESPONSES:
        add_anonymous_response(app, cohort_id, SURVEY, language, answers)
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI"]))
    section = _section(client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True),
                       "Lessons-learned survey")
    assert table_rows(section, caption="The training met my needs.")[1][-1] == "5"
    assert "More role plays" not in section  # free text stays with the facilitators
