"""Confidence before/after per area and the cohort's learning-style profile, by hand."""

from __future__ import annotations

import re

from learning.accounts.models import Role
from learning.assessments.models import Purpose
from tests.assessments.results_world import (
    add_attempt,
    make_cohort,
    table_rows,
    use_result_banks,
)

CONFIDENCE = "results-confidence"
STYLE = "results-style"


def _facts(page: str, element_id: str) -> dict[str, str]:
    block = re.search(rf'<dl[^>]*id="{element_id}"[^>]*>(.*?)</dl>', page, re.S)
    assert block, element_id
    pairs = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block.group(1), re.S)
    return {term: " ".join(value.split()) for term, value in pairs}


def test_confidence_medians_distributions_and_share_who_rose(app, client, login,
                                                             make_user) -> None:  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    amina, bosco, claire = (make_user(Role.PARTICIPANT, country="BI") for _ in range(3))
    cohort_id = make_cohort(app, ("BI",), facilitator, participants=(amina, bosco, claire))

    def rate(person, purpose, me1, me2, sc1, sc2):  # type: ignore[no-untyped-def]
        add_attempt(app, person, cohort_id, CONFIDENCE, purpose,
                    answers={"rc-me-1": me1, "rc-me-2": me2, "rc-sc-1": sc1, "rc-sc-2": sc2})

    rate(amina, Purpose.PRE, 4, 6, 3, 5)
    rate(bosco, Purpose.PRE, 7, 7, 6, 6)
    rate(claire, Purpose.PRE, 5, 5, 2, 4)  # Claire has not rated herself after
    rate(amina, Purpose.POST, 8, 8, 7, 7)
    rate(bosco, Purpose.POST, 7, 7, 6, 8)
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    assert "Rated before: 3; after: 2." in page

    # Maltreatment: before 4 6 7 7 5 5 → median (5+6)/2; after 8 8 7 7 → 7.5. Per person:
    # Amina 5 → 8 rose, Bosco 7 → 7 same; Claire not compared.
    assert _facts(page, "confidence-facts-results-confidence-maltreatment-effects") == {
        "Median before": "5.5", "Median after": "7.5",
        "Confidence rose": "1 of 2 participants (50%)"}
    assert table_rows(page, table_id="confidence-results-confidence-maltreatment-effects") == [
        ["When", *(str(n) for n in range(11)), "Ratings"],
        ["Before", "0", "0", "0", "0", "1", "2", "1", "2", "0", "0", "0", "6"],
        ["After", "0", "0", "0", "0", "0", "0", "0", "2", "2", "0", "0", "4"],
    ]
    # Supervision: before 3 5 6 6 2 4 → 4.5; after 7 7 6 8 → 7. Amina 4 → 7, Bosco 6 → 7.
    assert _facts(page, "confidence-facts-results-confidence-supervision-coaching") == {
        "Median before": "4.5", "Median after": "7",
        "Confidence rose": "2 of 2 participants (100%)"}


def test_learning_style_profile_counts_dominant_preferences(app, client, login,
                                                            make_user) -> None:  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    people = [make_user(Role.PARTICIPANT, country="BI") for _ in range(3)]
    cohort_id = make_cohort(app, ("BI",), facilitator, participants=tuple(people))
    scale = ["strongly_disagree", "somewhat_disagree", "somewhat_agree", "strongly_agree"]
    # Points per item (0–3), two items per preference, in the order a, r, t, p:
    answers = [
        (3, 3, 2, 2, 1, 1, 0, 0),  # activist 6, reflector 4, theorist 2, pragmatist 0
        (2, 2, 3, 3, 3, 3, 1, 2),  # reflector 6 = theorist 6: counted under both
        (3, 3, 2, 1, 0, 0, 3, 2),  # activist 6, pragmatist 5
    ]
    items = ["rs-a1", "rs-a2", "rs-r1", "rs-r2", "rs-t1", "rs-t2", "rs-p1", "rs-p2"]
    for person, points in zip(people, answers, strict=True):
        add_attempt(app, person, cohort_id, STYLE, Purpose.ONCE,
                    answers={item: scale[p] for item, p in zip(items, points, strict=True)})
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    assert "3 participants answered the questionnaire." in page
    assert table_rows(page, table_id="styles-results-style") == [
        ["Preference", "Participants"],
        ["Activist", "2"], ["Reflector", "1"], ["Theorist", "1"], ["Pragmatist", "0"],
    ]
