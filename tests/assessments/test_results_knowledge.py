"""Acceptance: a small cohort worked by hand, every knowledge figure on the results page.

Five participants took the knowledge test (25 points), two countries:

| participant | country | pre        | post       | difference | g                 |
|-------------|---------|------------|------------|------------|-------------------|
| Amina       | BI      | 10 = 40 %  | 20 = 80 %  | +40        | 40/60 = 0.67      |
| Benoît      | BI      | 12 = 48 %  | 18 = 72 %  | +24        | 24/52 = 0.46      |
| Chantal     | NE      | 25 = 100 % | 22 = 88 %  | −12        | undefined (pre = max) |
| Didier      | NE      | 15 = 60 %  | 23 = 92 %  | +32        | 32/40 = 0.8       |
| Esther      | NE      | 9 = 36 %   | (none)     | —          | not paired        |

Paired n = 4 (Esther is listed apart). Means over the four: pre (40+48+100+60)/4 = 62 %,
post (80+72+88+92)/4 = 83 %, difference 21; class-average g = 21/(100−62) = 0.553 → 0.55;
mean of individual g over the three defined = (0.667+0.462+0.8)/3 = 0.643 → 0.64.
Burundi: pre 44 %, post 76 %, difference 32, class g 32/56 = 0.57, mean g 0.564 → 0.56 (2).
Niger (paired: Chantal, Didier): pre 80 %, post 90 %, difference 10, class g 10/20 = 0.5,
mean g 0.8 (1: Chantal's is undefined); one pre-test only (Esther).
"""

from __future__ import annotations

import pytest

from learning.accounts.models import Role
from learning.assessments.models import AttemptStatus, Purpose
from tests.assessments.results_world import (
    add_attempt,
    make_cohort,
    table_rows,
    use_result_banks,
)

BANK = "results-knowledge"
MAX = 25


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    people = {
        name: make_user(Role.PARTICIPANT, name=name, country=country)
        for name, country in [("Amina Niyonzima", "BI"), ("Benoît Ndayishimiye", "BI"),
                              ("Chantal Moussa", "NE"), ("Didier Issoufou", "NE"),
                              ("Esther Abdou", "NE")]
    }
    cohort_id = make_cohort(app, ("BI", "NE"), facilitator, participants=tuple(people.values()))
    scores = {"Amina Niyonzima": (10, 20), "Benoît Ndayishimiye": (12, 18),
              "Chantal Moussa": (25, 22), "Didier Issoufou": (15, 23),
              "Esther Abdou": (9, None)}
    for name, (pre, post) in scores.items():
        add_attempt(app, people[name], cohort_id, BANK, Purpose.PRE, score=pre, max_score=MAX)
        if post is not None:
            add_attempt(app, people[name], cohort_id, BANK, Purpose.POST, score=post,
                        max_score=MAX)
    # Neither a retake nor an unfinished attempt changes the figures: the first submitted
    # attempt is the one that counts, and Esther has not submitted a post-test.
    add_attempt(app, people["Benoît Ndayishimiye"], cohort_id, BANK, Purpose.PRE, score=24,
                max_score=MAX, number=2)
    add_attempt(app, people["Esther Abdou"], cohort_id, BANK, Purpose.POST,
                status=AttemptStatus.OPEN)
    return cohort_id, facilitator, people


def test_every_knowledge_figure_of_the_hand_worked_cohort(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator, _people = cohort
    login(facilitator)
    response = client.get(f"/cohorts/{cohort_id}/results")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Knowledge: Supervision knowledge test" in page

    summary = table_rows(page, table_id="knowledge-summary-1")
    assert summary[0] == ["Country", "Participants with both tests", "Mean pre-test",
                          "Mean post-test", "Mean difference", "Class-average g",
                          "Mean of individual g", "Pre-test only", "Post-test only"]
    assert summary[1:] == [
        ["Burundi", "2", "44%", "76%", "32%", "0.57", "0.56 (2 participants)", "0", "0"],
        ["Niger", "2", "80%", "90%", "10%", "0.5", "0.8 (1 participant)", "1", "0"],
        ["All countries", "4", "62%", "83%", "21%", "0.55", "0.64 (3 participants)", "1", "0"],
    ]

    paired = table_rows(page, table_id="knowledge-paired-1")
    assert paired[0] == ["Name", "Country", "Pre-test", "Post-test", "Difference",
                         "Normalised gain (g)"]
    assert paired[1:] == [
        ["Amina Niyonzima", "Burundi", "40%", "80%", "40%", "0.67"],
        ["Benoît Ndayishimiye", "Burundi", "48%", "72%", "24%", "0.46"],
        ["Chantal Moussa", "Niger", "100%", "88%", "-12%", "undefined"],
        ["Didier Issoufou", "Niger", "60%", "92%", "32%", "0.8"],
    ]
    assert "4 participants with both tests" in page

    # The learner with one test only is listed apart, never in the means above.
    apart = table_rows(page, table_id="knowledge-unpaired-1")
    assert apart[1:] == [["Esther Abdou", "Niger", "36%", "not taken"]]
    assert "Took one test only (not in the means above)" in page


def test_a_cohort_without_results_says_so(app, client, login, make_user) -> None:  # type: ignore[no-untyped-def]
    facilitator = make_user(Role.FACILITATOR, country=None)
    cohort_id = make_cohort(app, ("BI",), facilitator)
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    assert "No results yet" in page
    assert "knowledge-summary-1" not in page
