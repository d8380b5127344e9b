"""Item analysis by hand: six paired learners, three one-point items, before and after.

Ordered by score (ties by attempt), the lower 27 % group is the first two learners and the
upper group the last two (27 % of 6 = 1.62 → 2).
"""

from __future__ import annotations

import statistics

import pytest

from learning.accounts.models import Role
from learning.assessments import results
from learning.assessments.models import Purpose
from learning.cohorts.models import Cohort
from learning.courses.catalogue import get_catalogue
from learning.db import db
from tests.assessments.results_world import (
    add_attempt,
    make_cohort,
    table_rows,
    use_result_banks,
)

BANK = "results-knowledge"
ITEMS = ["rk-q1", "rk-q2", "rk-q3"]
PRE = [(1, 1, 1), (1, 1, 0), (1, 0, 0), (0, 1, 0), (0, 0, 0), (1, 0, 1)]
POST = [(1, 1, 1), (1, 1, 1), (1, 1, 0), (1, 1, 0), (0, 1, 0), (1, 1, 1)]


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    people = [make_user(Role.PARTICIPANT, country="BI") for _ in PRE]
    cohort_id = make_cohort(app, ("BI",), facilitator, participants=tuple(people))
    for person, before, after in zip(people, PRE, POST, strict=True):
        for purpose, points in ((Purpose.PRE, before), (Purpose.POST, after)):
            add_attempt(app, person, cohort_id, BANK, purpose, score=sum(points), max_score=3,
                        answers={item: "x" for item in ITEMS},
                        points=dict(zip(ITEMS, points, strict=True)))
    # Someone with a pre-test only is not part of the item analysis.
    loner = make_user(Role.PARTICIPANT, country="BI")
    add_attempt(app, loner, cohort_id, BANK, Purpose.PRE, score=0, max_score=3,
                answers={item: "x" for item in ITEMS}, points=dict.fromkeys(ITEMS, 0))
    return cohort_id, facilitator


def _item_rest(table: list[tuple[int, ...]], item: int) -> float:
    points = [row[item] for row in table]
    rest = [sum(row) - row[item] for row in table]
    return statistics.correlation(points, rest)


def test_item_figures_match_the_hand_worked_values(app, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    with app.test_request_context():
        cohort_row = db.session.get(Cohort, cohort_id)
        scope = results.scope_for(facilitator, cohort_row)
        (knowledge,) = results.knowledge_results(scope, get_catalogue())
        analysis = results.item_analysis(scope, knowledge)
    assert (analysis.learners, analysis.group_size) == (6, 2)
    by_id = {item.question_id: item for item in analysis.items}
    assert list(by_id) == ITEMS
    q1, q2, q3 = (by_id[item] for item in ITEMS)
    # Share correct before: 4/6, 3/6, 2/6; after: 5/6, 6/6, 3/6.
    assert [q.pre.difficulty for q in (q1, q2, q3)] == pytest.approx([4 / 6, 3 / 6, 2 / 6])
    assert [q.post.difficulty for q in (q1, q2, q3)] == pytest.approx([5 / 6, 1.0, 3 / 6])
    assert [q.pre.answers for q in (q1, q2, q3)] == [6, 6, 6]
    # Item–rest correlations, checked against the standard library's Pearson r.
    for index, item in enumerate((q1, q2, q3)):
        assert item.pre.point_biserial == pytest.approx(_item_rest(PRE, index), abs=1e-9)
    assert q1.post.point_biserial == pytest.approx(_item_rest(POST, 0))
    assert q2.post.point_biserial is None  # everyone right: no spread, no correlation
    # Before, lower group = scores 0 and 1 (learners 5, 3), upper = 2 and 3 (6, 1):
    # q1 1.0 − 0.5, q2 0.5 − 0, q3 1.0 − 0. After, lower = 5, 3; upper = 2, 6.
    assert [q.pre.upper_lower for q in (q1, q2, q3)] == pytest.approx([0.5, 0.5, 1.0])
    assert [q.post.upper_lower for q in (q1, q2, q3)] == pytest.approx([0.5, 0.0, 1.0])


def test_item_table_on_the_page(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, facilitator = cohort
    login(facilitator)
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    assert "Over the 6 participants with both tests." in page
    assert "(2 participants each)" in page
    rows = table_rows(page, table_id=f"items-{BANK}")
    assert rows[2:] == [
        ["rk-q1: Which function of supervision is about learning?",
         "67%", "0.34", "0.5", "83%", "0.45", "0.5", "17%"],
        ["rk-q2: Coaching is a method used inside supervision.",
         "50%", "0", "0.5", "100%", "—", "0", "50%"],
        ["rk-q3: Which record was used most?",
         "33%", "0.34", "1", "50%", "0.45", "1", "17%"],
    ]
