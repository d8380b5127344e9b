"""The learning dashboards (pre-course, knowledge, confidence) against the same figures
computed here, in plain Python, from the raw rows of the hand-made programme."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Organisation, OrganisationType, Role, User
from learning.analytics.framework import DASHBOARDS, MIN_GROUP, Figure, Filters
from learning.assessments.models import Answer, Attempt, AttemptStatus
from learning.cohorts.models import Enrolment, EnrolmentStatus
from learning.courses.catalogue import get_catalogue
from learning.courses.models import SectionProgress
from learning.db import db
from learning.i18n.countries import country_name
from tests.analytics.analytics_world import (
    CONFIDENCE_BANK,
    KNOWLEDGE_BANK,
    PART_1,
    PART_2,
    World,
    build_world,
)


@pytest.fixture
def world(app: Flask) -> World:
    return build_world(app)


@pytest.fixture
def built(app: Flask, world: World) -> Iterator[Any]:
    """``built(staff_key, slug, **filters) -> {figure_id: Figure}`` in a request context."""
    with app.test_request_context("/"):
        def build(staff_key: str, slug: str, **filters: Any) -> dict[str, Figure]:
            viewer = db.session.get(User, world.staff[staff_key].id)
            assert viewer is not None
            figures = DASHBOARDS[slug].build(viewer, Filters(**filters))
            return {figure.id: figure for figure in figures}

        yield build


# --- the raw rows, read back and counted by hand ----------------------------------------------


@dataclass
class Person:
    user_id: int
    name: str
    cohort: str
    cohort_id: int
    country: str | None
    organisation_type: OrganisationType | None


def counted_people(staff_key: str, world: World) -> list[Person]:
    """Counted enrolments (nominated/confirmed participants) in the viewer's scope."""
    viewer = db.session.get(User, world.staff[staff_key].id)
    assert viewer is not None
    found = []
    for enrolment in db.session.scalars(select(Enrolment)).all():
        user, cohort = enrolment.user, enrolment.cohort
        if enrolment.status not in (EnrolmentStatus.NOMINATED, EnrolmentStatus.CONFIRMED):
            continue
        if user.role != Role.PARTICIPANT:
            continue
        if viewer.role == Role.FACILITATOR and viewer.id not in cohort.facilitator_ids:
            continue
        if viewer.role == Role.FOCAL_POINT and user.country_code not in viewer.focal_country_codes:
            continue
        if viewer.role == Role.COORDINATOR and user.country_code != viewer.country_code:
            continue
        organisation = db.session.get(Organisation, user.organisation_id) \
            if user.organisation_id else None
        found.append(Person(user.id, user.name, cohort.name, cohort.id, user.country_code,
                            organisation.type if organisation else None))
    return found


def parts_done(user_id: int) -> set[str]:
    catalogue = get_catalogue()
    completed = {row.section_id for row in db.session.scalars(
        select(SectionProgress).where(SectionProgress.user_id == user_id)).all()
        if row.completed_at is not None}
    done = set()
    for unit_id in (PART_1, PART_2):
        unit = catalogue.unit(unit_id)
        assert unit is not None
        if {s.id for s in unit.visible_sections(include_facilitator_notes=False)} <= completed:
            done.add(unit_id)
    return done


def first_attempts(bank_id: str) -> dict[tuple[int, int, str], Attempt]:
    """(user, cohort, purpose) -> first submitted attempt, by number then id."""
    first: dict[tuple[int, int, str], Attempt] = {}
    attempts = db.session.scalars(select(Attempt).where(Attempt.bank_id == bank_id)).all()
    for attempt in sorted(attempts, key=lambda a: (a.number, a.id)):
        if attempt.status != AttemptStatus.SUBMITTED or attempt.cohort_id is None:
            continue
        first.setdefault((attempt.user_id, attempt.cohort_id, attempt.purpose.value), attempt)
    return first


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def body_rows(figure: Figure) -> list[dict[str, Any]]:
    return list(figure.table.rows)


# --- pre-course -------------------------------------------------------------------------------


def expected_funnel(people: list[Person]) -> dict[str, tuple[int, int, int, int]]:
    """cohort name -> (enrolled, pre-evaluation, part 1, part 2)."""
    pre_tested = {attempt.user_id for key, attempt in first_attempts(KNOWLEDGE_BANK).items()
                  if key[2] == "pre"}
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for person in people:
        done = parts_done(person.user_id)
        row = counts[person.cohort]
        row[0] += 1
        row[1] += person.user_id in pre_tested
        row[2] += PART_1 in done
        row[3] += PART_2 in done
    return {name: (a, b, c, d) for name, (a, b, c, d) in counts.items()}


def test_precourse_funnel_equals_the_raw_rows(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "precourse")["precourse-funnel"]
    expected = expected_funnel(counted_people("admin", world))
    shown = {name: value for name, value in expected.items() if value[0] >= MIN_GROUP}
    rows = body_rows(figure)
    by_cohort = {row["cohort"]: (row["enrolled"], row["step_0"], row["step_1"], row["step_2"])
                 for row in rows[:-1]}
    assert by_cohort == shown
    total = tuple(sum(value[i] for value in expected.values()) for i in range(4))
    last = rows[-1]
    assert (last["enrolled"], last["step_0"], last["step_1"], last["step_2"]) == total
    assert last["step_2_share"] == pytest.approx(total[3] / total[0])
    assert figure.n == total[0] == 26  # withdrawn and alternate people are not counted
    # Gamma has 3 people: folded away, still in the total, and said so.
    assert "ToT Gamma" not in by_cohort and figure.suppressed_groups == 1
    assert figure.note == "1 group of fewer than 5 people is not shown."


def test_blocked_people_are_those_not_done(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "precourse")["precourse-blocked"]
    pre_tested = {key[0] for key in first_attempts(KNOWLEDGE_BANK) if key[2] == "pre"}
    expected = {person.name for person in counted_people("admin", world)
                if person.user_id not in pre_tested or parts_done(person.user_id) != {
                    PART_1, PART_2}}
    assert {row["name"] for row in body_rows(figure)} == expected
    assert figure.n == len(expected)
    # Alpha's deadline has passed: its people come first, marked so.
    rows = body_rows(figure)
    alpha = [row for row in rows if row["cohort"] == "ToT Alpha"]
    assert rows[: len(alpha)] == alpha and all(row["passed"] == "Yes" for row in alpha)
    fabrice = next(row for row in rows if row["name"] == "Fabrice Nkurunziza")
    assert fabrice["missing"] == "Pre-evaluation, Pre-course part 1, Pre-course part 2"
    assert fabrice["deadline"] == date(2020, 1, 15)


def test_precourse_period_counts_only_what_was_done_in_it(app: Flask, world: World,
                                                         built) -> None:  # type: ignore[no-untyped-def]
    # Part 1 was done on 20 January, part 2 on 5 February, pre-tests on 20 February.
    figure = built("admin", "precourse", period_start=date(2030, 1, 1),
                   period_end=date(2030, 1, 31))["precourse-funnel"]
    total = body_rows(figure)[-1]
    expected = expected_funnel(counted_people("admin", world))
    assert total["step_0"] == 0 and total["step_2"] == 0
    assert total["step_1"] == sum(value[2] for value in expected.values())


# --- knowledge --------------------------------------------------------------------------------


def knowledge_pairs(people: list[Person]) -> list[tuple[Person, float | None, float | None]]:
    first = first_attempts(KNOWLEDGE_BANK)

    def percent(person: Person, purpose: str) -> float | None:
        attempt = first.get((person.user_id, person.cohort_id, purpose))
        if attempt is None or not attempt.max_score:
            return None
        return 100 * (attempt.score or 0) / attempt.max_score

    return [(person, percent(person, "pre"), percent(person, "post")) for person in people]


def expected_knowledge(pairs: list[tuple[Person, float | None, float | None]]
                       ) -> dict[str, Any]:
    paired = [(pre, post) for _person, pre, post in pairs if pre is not None and post is not None]
    one_test = sum(1 for _person, pre, post in pairs if (pre is None) != (post is None))
    mean_pre, mean_post = mean([p for p, _ in paired]), mean([q for _, q in paired])
    return {"paired": len(paired), "mean_pre": mean_pre / 100, "mean_post": mean_post / 100,
            "difference": round(mean_post - mean_pre, 1),
            "gain": round((mean_post - mean_pre) / (100 - mean_pre), 2), "one_test": one_test}


def assert_knowledge_row(row: dict[str, Any], expected: dict[str, Any]) -> None:
    assert row["paired"] == expected["paired"]
    assert row["one_test"] == expected["one_test"]
    assert row["mean_pre"] == pytest.approx(expected["mean_pre"])
    assert row["mean_post"] == pytest.approx(expected["mean_post"])
    assert row["difference"] == pytest.approx(expected["difference"])
    assert row["gain"] == pytest.approx(expected["gain"])


def test_knowledge_by_country_and_cohort(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figures = built("admin", "knowledge")
    pairs = knowledge_pairs(counted_people("admin", world))
    country_names = {code: country_name(code, "en") for code in ("BI", "NE", "CD", "TD")}
    for figure_id, key in (("knowledge-by-country", lambda p: p.country),
                           ("knowledge-by-cohort", lambda p: p.cohort)):
        figure = figures[figure_id]
        groups: dict[str, list[Any]] = defaultdict(list)
        for item in pairs:
            groups[key(item[0])].append(item)
        rows = {row["group"]: row for row in body_rows(figure)}
        folded = 0
        for group, items in groups.items():
            expected = expected_knowledge(items)
            label = country_names.get(group, group)
            if expected["paired"] < MIN_GROUP:
                folded += 1
                assert label not in rows
                continue
            assert_knowledge_row(rows[label], expected)
        assert_knowledge_row(rows["All"], expected_knowledge(pairs))
        assert figure.n == expected_knowledge(pairs)["paired"] == 18
        assert figure.suppressed_groups == folded == 1  # Chad, and gamma: 2 people each


def test_the_first_attempt_is_the_baseline(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    """Alice retook the pre-test (25/26): her first attempt (10/26) stays her baseline;
    Didier's post-test is still open and does not count."""
    figure = built("fac_alpha", "knowledge", country_code="BI")["knowledge-by-country"]
    row = body_rows(figure)[0]
    # alpha's Burundians with both tests: Alice, Bosco, Claudine, Esperance, Gloria.
    pre = [10, 14, 8, 20, 6]
    assert row["mean_pre"] == pytest.approx(mean([100 * x / 26 for x in pre]) / 100)
    assert row["paired"] == 5 and row["one_test"] == 2  # Didier (pre), Hervé (post)


def test_knowledge_by_objective(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "knowledge")["knowledge-by-objective"]
    bank = get_catalogue().quiz(KNOWLEDGE_BANK)
    assert bank is not None
    objective_of = {q.id: q.objective for q in bank.questions}
    people = counted_people("admin", world)
    first = first_attempts(KNOWLEDGE_BANK)
    points: dict[tuple[str, str], list[float]] = defaultdict(list)
    paired_people = 0
    for person in people:
        attempts = [first.get((person.user_id, person.cohort_id, purpose))
                    for purpose in ("pre", "post")]
        if None in attempts:
            continue
        paired_people += 1
        for attempt in attempts:
            assert attempt is not None
            for answer in db.session.scalars(
                    select(Answer).where(Answer.attempt_id == attempt.id)).all():
                points[(objective_of[answer.question_id], attempt.purpose.value)].append(
                    answer.points or 0.0)
    assert figure.n == paired_people
    rows = {row["objective"].split(" ")[0].lower(): row for row in body_rows(figure)}
    assert set(rows) == {objective for objective, _purpose in points}
    for (objective, purpose), values in points.items():
        assert rows[objective][purpose] == pytest.approx(mean(values))


# --- confidence -------------------------------------------------------------------------------


def confidence_ratings(people: list[Person]) -> list[tuple[Person, str, str, int]]:
    """(person, purpose, question id, rating) from first attempts."""
    first = first_attempts(CONFIDENCE_BANK)
    found = []
    for person in people:
        for purpose in ("pre", "post"):
            attempt = first.get((person.user_id, person.cohort_id, purpose))
            if attempt is None:
                continue
            for answer in db.session.scalars(
                    select(Answer).where(Answer.attempt_id == attempt.id)).all():
                found.append((person, purpose, answer.question_id, int(answer.value)))
    return found


def test_confidence_by_area(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "confidence")["confidence-by-area"]
    bank = get_catalogue().quiz(CONFIDENCE_BANK)
    assert bank is not None
    area_of = {q.id: q.raw["area"] for q in bank.questions}
    titles = {area["id"]: area["title"]["en"] for area in bank.raw["areas"]}
    ratings = confidence_ratings(counted_people("admin", world))
    counts: dict[tuple[str, str], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for _person, purpose, question_id, rating in ratings:
        counts[(titles[area_of[question_id]], purpose)][rating] += 1
    assert figure.n == len({person.user_id for person, *_rest in ratings}) == 23
    rows = body_rows(figure)
    assert len(rows) == 2 * len(titles)
    for row in rows:
        given = counts[(row["area"], "pre" if row["time"] == "Before" else "post")]
        total = sum(given.values())
        assert row["ratings"] == total
        for point in range(1, 6):
            assert row[f"r{point}"] == pytest.approx(given.get(point, 0) / total)


def test_confidence_rose_by_country(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "confidence")["confidence-rose-by-country"]
    ratings = confidence_ratings(counted_people("admin", world))
    given: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    country: dict[int, str | None] = {}
    for person, purpose, question_id, rating in ratings:
        given[(person.user_id, purpose)][question_id] = rating
        country[person.user_id] = person.country
    per_country: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for user_id, code in country.items():
        before, after = given.get((user_id, "pre")), given.get((user_id, "post"))
        if not before or not after:
            continue
        both = set(before) & set(after)
        per_country[code][0] += 1
        per_country[code][1] += sum(after[q] for q in both) > sum(before[q] for q in both)
    names = {code: country_name(str(code), "en") for code in per_country}
    rows = {row["country"]: row for row in body_rows(figure)}
    for code, (n, rose) in per_country.items():
        if n < MIN_GROUP:
            assert names[code] not in rows
            continue
        assert (rows[names[code]]["paired"], rows[names[code]]["rose"]) == (n, rose)
        assert rows[names[code]]["share_rose"] == pytest.approx(rose / n)
    assert rows["All"]["paired"] == figure.n == sum(n for n, _ in per_country.values())
    assert rows["All"]["rose"] == sum(rose for _, rose in per_country.values())


# --- scope and filters ------------------------------------------------------------------------


@pytest.mark.parametrize("staff_key", ["fac_alpha", "fac_beta", "focal_bi_ne", "focal_cd",
                                       "coordinator_bi"])
def test_each_viewer_counts_only_their_scope(app: Flask, world: World, built,
                                             staff_key: str) -> None:  # type: ignore[no-untyped-def]
    people = counted_people(staff_key, world)
    figures = built(staff_key, "precourse")
    assert figures["precourse-funnel"].n == len(people) > 0
    listed = {row["name"] for row in body_rows(figures["precourse-blocked"])}
    assert listed <= {person.name for person in people}
    knowledge = built(staff_key, "knowledge")["knowledge-by-country"]
    assert knowledge.n == expected_knowledge(knowledge_pairs(people))["paired"]


def test_a_focal_point_never_sees_another_country(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figures = built("focal_cd", "precourse", country_code="BI")
    assert figures["precourse-funnel"].n == 0
    assert body_rows(figures["precourse-blocked"]) == []
    assert built("focal_cd", "knowledge")["knowledge-by-country"].n == 5  # Congo only


def test_organisation_type_filter(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    figure = built("admin", "precourse",
                   organisation_type=OrganisationType.GOVERNMENT)["precourse-funnel"]
    expected = [p for p in counted_people("admin", world)
                if p.organisation_type == OrganisationType.GOVERNMENT]
    assert figure.n == len(expected) > 0


def test_participants_see_no_dashboard_data(app: Flask, world: World, built) -> None:  # type: ignore[no-untyped-def]
    assert built("participant", "precourse")["precourse-funnel"].n == 0

