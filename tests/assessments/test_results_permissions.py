"""Who sees which results: facilitators their cohorts, focal points and coordinators their
countries' aggregates without names, participants nothing."""

from __future__ import annotations

import pytest

from learning.accounts.models import Role
from learning.assessments.models import Purpose
from tests.assessments.results_world import add_attempt, make_cohort, table_rows, use_result_banks

BANK = "results-knowledge"


@pytest.fixture
def cohort(app, make_user):  # type: ignore[no-untyped-def]
    use_result_banks(app)
    facilitator = make_user(Role.FACILITATOR, country=None)
    burundian = make_user(Role.PARTICIPANT, name="Burundi Learner", country="BI")
    nigerien = make_user(Role.PARTICIPANT, name="Niger Learner", country="NE")
    cohort_id = make_cohort(app, ("BI", "NE"), facilitator, participants=(burundian, nigerien))
    for person, pre, post in ((burundian, 5, 8), (nigerien, 2, 6)):
        add_attempt(app, person, cohort_id, BANK, Purpose.PRE, score=pre, max_score=10)
        add_attempt(app, person, cohort_id, BANK, Purpose.POST, score=post, max_score=10)
    return cohort_id, facilitator, burundian


def test_facilitator_of_another_cohort_does_not_find_the_results(app, client, login, make_user,
                                                                  cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator, _participant = cohort
    other = make_user(Role.FACILITATOR, country=None)
    make_cohort(app, ("BI",), other, slug="other")
    login(other)
    assert client.get(f"/cohorts/{cohort_id}/results").status_code == 404
    assert client.get(f"/cohorts/{cohort_id}/results.csv?table=knowledge").status_code == 404
    assert client.get(f"/cohorts/{cohort_id}/results.xlsx?table=knowledge").status_code == 404


def test_focal_point_of_another_country_does_not_find_the_results(client, login, make_user,
                                                                   cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator, _participant = cohort
    login(make_user(Role.FOCAL_POINT, country=None, focal_countries=["IQ"]))
    assert client.get(f"/cohorts/{cohort_id}/results").status_code == 404
    assert client.get(f"/cohorts/{cohort_id}/results.csv?table=knowledge").status_code == 404


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.COORDINATOR])
def test_country_staff_see_their_countrys_aggregates_without_names(client, login, make_user,
                                                                   cohort, role) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator, _participant = cohort
    if role == Role.FOCAL_POINT:
        login(make_user(role, country=None, focal_countries=["BI"]))
    else:
        login(make_user(role, country="BI"))
    response = client.get(f"/cohorts/{cohort_id}/results")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    # Burundi's learner only: 50 % → 80 %, g = 30/50 = 0.6. Niger's figures are not there.
    assert table_rows(page, table_id="knowledge-summary-1")[1:] == [
        ["Burundi", "1", "50%", "80%", "30%", "0.6", "0.6 (1 participant)", "0", "0"],
        ["All your countries", "1", "50%", "80%", "30%", "0.6", "0.6 (1 participant)", "0",
         "0"],
    ]
    assert "Burundi Learner" not in page and "Niger Learner" not in page
    assert "knowledge-paired-1" not in page
    assert "without names" in page
    # The per-person export is not theirs either; the aggregate one is.
    participants = client.get(f"/cohorts/{cohort_id}/results.csv?table=participants")
    assert participants.status_code == 404
    knowledge = client.get(f"/cohorts/{cohort_id}/results.csv?table=knowledge")
    assert knowledge.status_code == 200
    body = knowledge.get_data().decode("utf-8-sig")
    assert "Burundi" in body and "Niger" not in body and "Learner" not in body


def test_participant_is_refused(client, login, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator, participant = cohort
    login(participant)
    assert client.get(f"/cohorts/{cohort_id}/results").status_code == 403
    assert client.get(f"/cohorts/{cohort_id}/results.csv?table=knowledge").status_code == 403


def test_admin_sees_every_participant(client, login, make_user, cohort) -> None:  # type: ignore[no-untyped-def]
    cohort_id, _facilitator, _participant = cohort
    login(make_user(Role.ADMIN, country=None))
    page = client.get(f"/cohorts/{cohort_id}/results").get_data(as_text=True)
    assert [row[0] for row in table_rows(page, table_id="knowledge-paired-1")[1:]] == [
        "Burundi Learner", "Niger Learner"]
