"""The roll-out dashboard: every figure equals the same figure computed here from the raw
rows (enrolments, trainings, reports, plans, certificates), for every kind of viewer and
filter; scope, folding of small groups and the French reader are checked too."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask import Flask
from flask_babel import format_decimal, format_percent
from sqlalchemy import select

from learning.accounts.models import Organisation, OrganisationType, Role, User
from learning.analytics.framework import DASHBOARDS, MIN_GROUP, Figure, Filters
from learning.certificates.models import Certificate, CertificateStatus
from learning.cohorts.models import Cohort, CohortFacilitator, Enrolment, EnrolmentStatus
from learning.db import db
from learning.i18n.countries import country_name
from learning.plans.country_models import CountryPlan, CountryPlanActivity
from learning.rollout.models import (
    ReportStatus,
    Training,
    TrainingCoTrainer,
    TrainingOrganisation,
    TrainingReport,
)
from tests.analytics.rollout_world import RolloutWorld, build_rollout_world
from tests.conftest import in_french, sign_in

VIEWERS = ("admin", "fac_alpha", "fac_beta", "focal_bi_ne", "focal_cd", "coordinator_bi")
FILTERS = {
    "none": Filters(),
    "cohort alpha": None,  # filled in with the world's id
    "country BI": Filters(country_code="BI"),
    "country TD": Filters(country_code="TD"),
    "national NGOs": Filters(organisation_type=OrganisationType.NATIONAL_NGO),
    "May–June 2030": Filters(period_start=date(2030, 5, 1), period_end=date(2030, 6, 30)),
    "from 2031": Filters(period_start=date(2031, 1, 1)),
}


@pytest.fixture
def rollout(app: Flask) -> RolloutWorld:
    return build_rollout_world(app)


def _filters(name: str, rollout: RolloutWorld) -> Filters:
    found = FILTERS[name]
    return found if found is not None else Filters(cohort_id=rollout.world.cohorts["alpha"])


def _build(app: Flask, viewer: User, filters: Filters, language: str = "en") -> dict[str, Figure]:
    with app.test_request_context(headers={"Accept-Language": language}):
        return {figure.id: figure for figure in DASHBOARDS["rollout"].build(viewer, filters)}


# --- the figures, recomputed from raw rows in plain Python ----------------------------------------


def _fold(name: str) -> str:
    """Names as the dashboard compares them: without case or outer spaces."""
    return name.strip().lower()


@dataclass
class Raw:
    enrolments: list[tuple[int, int, EnrolmentStatus]]
    users: dict[int, tuple[Role, str | None, OrganisationType | None]]
    facilitators: set[tuple[int, int]]  # (cohort, user)
    cohort_names: dict[int, str]
    trainings: list[dict[str, Any]]
    activities: list[tuple[int, str, str, str, date | None]]  # cohort, country, category, status
    certificates: list[tuple[int | None, int, CertificateStatus, datetime]]


def _raw(app: Flask) -> Raw:
    with app.app_context():
        session = db.session
        organisation_type = dict(session.execute(select(Organisation.id, Organisation.type))
                                 .tuples().all())
        users = {user.id: (user.role, user.country_code,
                           organisation_type.get(user.organisation_id))
                 for user in session.scalars(select(User))}
        co_trainers = defaultdict(set)
        for training_id, user_id in session.execute(
                select(TrainingCoTrainer.training_id, TrainingCoTrainer.user_id)):
            co_trainers[training_id].add(user_id)
        names = defaultdict(list)
        for training_id, name in session.execute(
                select(TrainingOrganisation.training_id, TrainingOrganisation.name)):
            names[training_id].append(name)
        trainings = [
            {"id": t.id, "cohort": t.cohort_id, "country": t.country_code,
             "trainer": t.trainer_id, "start": t.start_date,
             "trained": t.female_count + t.male_count + t.other_gender_count,
             "activity": t.plan_activity_id, "status": r.status,
             "submitted_at": r.submitted_at, "co": co_trainers[t.id],
             "organisations": names[t.id]}
            for t, r in session.execute(select(Training, TrainingReport).join(
                TrainingReport, TrainingReport.training_id == Training.id)).unique()
        ]
        activities = [(plan.cohort_id, plan.country_code, activity.category.value,
                       activity.status.value, activity.start_date)
                      for activity, plan in session.execute(
                          select(CountryPlanActivity, CountryPlan)
                          .join(CountryPlan, CountryPlan.id == CountryPlanActivity.plan_id))]
        return Raw(
            enrolments=[(e.user_id, e.cohort_id, e.status)
                        for e in session.scalars(select(Enrolment))],
            users=users,
            facilitators=set(session.execute(
                select(CohortFacilitator.cohort_id, CohortFacilitator.user_id)).tuples()),
            cohort_names=dict(session.execute(select(Cohort.id, Cohort.name)).tuples().all()),
            trainings=trainings,
            activities=activities,
            certificates=[(c.user_id, c.cohort_id, c.status, c.issued_at)
                          for c in session.scalars(select(Certificate))],
        )


def _countries_of(viewer: User) -> list[str] | None:
    if viewer.role == Role.FOCAL_POINT:
        return viewer.focal_country_codes
    if viewer.role == Role.COORDINATOR:
        return [viewer.country_code] if viewer.country_code else []
    return None


def _scoped(raw: Raw, viewer: User, filters: Filters) -> dict[tuple[int, int], str | None]:
    """(user, cohort) -> country of each counted enrolment the viewer may see."""
    countries = _countries_of(viewer)
    found = {}
    for user_id, cohort_id, status in raw.enrolments:
        role, country, organisation = raw.users[user_id]
        if status not in (EnrolmentStatus.NOMINATED, EnrolmentStatus.CONFIRMED):
            continue
        if role != Role.PARTICIPANT:
            continue
        if viewer.role == Role.FACILITATOR and (cohort_id, viewer.id) not in raw.facilitators:
            continue
        if countries is not None and country not in countries:
            continue
        if filters.cohort_id is not None and cohort_id != filters.cohort_id:
            continue
        if filters.country_code is not None and country != filters.country_code:
            continue
        if filters.organisation_type is not None and organisation != filters.organisation_type:
            continue
        found[(user_id, cohort_id)] = country
    return found


def _in_period(day: date | None, filters: Filters) -> bool:
    if filters.period_start is None and filters.period_end is None:
        return True
    if day is None:
        return False
    return ((filters.period_start is None or day >= filters.period_start)
            and (filters.period_end is None or day <= filters.period_end))


def _training_visible(training: dict[str, Any], viewer: User, filters: Filters) -> bool:
    countries = _countries_of(viewer)
    return ((countries is None or training["country"] in countries)
            and (filters.country_code is None or training["country"] == filters.country_code))


def _groups(raw: Raw, viewer: User, filters: Filters) -> dict[tuple[int, str | None], dict]:
    scoped = _scoped(raw, viewer, filters)
    delivered = [t for t in raw.trainings
                 if t["status"] == ReportStatus.APPROVED and _training_visible(t, viewer, filters)
                 and _in_period(t["start"], filters)]
    groups: dict[tuple[int, str | None], dict] = defaultdict(
        lambda: {"participants": 0, "trainers": 0, "certified": 0, "trainings": 0,
                 "trained": 0, "fulfilled": set(), "planned": 0, "organisations": set()})
    for (user_id, cohort_id), country in scoped.items():
        group = groups[(cohort_id, country)]
        group["participants"] += 1
        if any(t["cohort"] == cohort_id and (t["trainer"] == user_id or user_id in t["co"])
               for t in delivered):
            group["trainers"] += 1
        if any(holder == user_id and cohort == cohort_id and status == CertificateStatus.VALID
               and _in_period(issued.date(), filters)
               for holder, cohort, status, issued in raw.certificates):
            group["certified"] += 1
    for training in delivered:
        key = (training["trainer"], training["cohort"])
        if key not in scoped:
            continue
        group = groups[(training["cohort"], scoped[key])]
        group["trainings"] += 1
        group["trained"] += training["trained"]
        if training["activity"] is not None:
            group["fulfilled"].add(training["activity"])
        group["organisations"] |= {(scoped[key], _fold(name))
                                   for name in training["organisations"]}
    for cohort_id, country, category, status, start in raw.activities:
        if (cohort_id, country) in groups and category == "training" \
                and status != "cancelled" and _in_period(start, filters):
            groups[(cohort_id, country)]["planned"] += 1
    return dict(groups)


def _roll(groups: dict, index: int | None) -> dict:
    rolled: dict = defaultdict(lambda: {"participants": 0, "trainers": 0, "certified": 0,
                                        "trainings": 0, "trained": 0, "fulfilled": set(),
                                        "planned": 0, "organisations": set()})
    for key, group in groups.items():
        target = rolled[key[index] if index is not None else "all"]
        for name, value in group.items():
            if isinstance(value, set):
                target[name] |= value
            else:
                target[name] += value
    return dict(rolled)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _cascade(group: dict, label: str) -> dict[str, Any]:
    return {"group": label, "participants": group["participants"],
            "trainers": group["trainers"],
            "trainers_share": _share(group["trainers"], group["participants"]),
            "trainings": group["trainings"], "organisations": len(group["organisations"]),
            "trained": group["trained"]}


def _shown(rolled: dict) -> list:
    return [key for key, group in rolled.items() if group["participants"] >= MIN_GROUP]


def expected(raw: Raw, viewer: User, filters: Filters, as_of: datetime) -> dict[str, list]:
    groups = _groups(raw, viewer, filters)
    total = _roll(groups, None).get("all") or _roll({(0, None): {
        "participants": 0, "trainers": 0, "certified": 0, "trainings": 0, "trained": 0,
        "fulfilled": set(), "planned": 0, "organisations": set()}}, None)["all"]
    by_country, by_cohort = _roll(groups, 1), _roll(groups, 0)
    countries = sorted(_shown(by_country), key=lambda code: country_name(code).casefold())
    cohorts = sorted(_shown(by_cohort), key=lambda cid: (raw.cohort_names[cid], cid))
    figures: dict[str, list] = {
        "rollout-cascade-by-country": [_cascade(by_country[c], country_name(c))
                                       for c in countries] + [_cascade(total, "Total")],
        "rollout-cascade-by-cohort": [_cascade(by_cohort[c], raw.cohort_names[c])
                                      for c in cohorts] + [_cascade(total, "Total")],
    }

    def planned(group: dict, label: str) -> dict[str, Any]:
        return {"country": label, "planned": group["planned"], "delivered": group["trainings"],
                "fulfilled": len(group["fulfilled"]),
                "share": _share(group["trainings"], group["planned"])}

    figures["trainings-planned-vs-delivered"] = [
        planned(by_country[c], country_name(c)) for c in countries] + [planned(total, "Total")]

    def certified(kind: str, label: str, group: dict) -> dict[str, Any]:
        return {"breakdown": kind, "group": label, "enrolled": group["participants"],
                "certified": group["certified"],
                "share": _share(group["certified"], group["participants"])}

    figures["certificates-issued"] = (
        [certified("Cohort", raw.cohort_names[c], by_cohort[c]) for c in cohorts]
        + [certified("Country", country_name(c), by_country[c]) for c in countries]
        + [certified("", "Total", total)])

    scoped = _scoped(raw, viewer, filters)
    months: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for training in raw.trainings:
        key = (training["trainer"], training["cohort"])
        if (training["status"] == ReportStatus.APPROVED and key in scoped
                and training["start"] is not None and _in_period(training["start"], filters)
                and _training_visible(training, viewer, filters)):
            month = months[(training["start"].year, training["start"].month)]
            month[0] += 1
            month[1] += training["trained"]
    rows, so_far = [], [0, 0]
    for (year, month_number), (count, trained) in sorted(months.items()):
        so_far = [so_far[0] + count, so_far[1] + trained]
        rows.append({"month": date(year, month_number, 1).strftime("%B %Y"),
                     "trainings": count, "trained": trained,
                     "trainings_cumulative": so_far[0], "trained_cumulative": so_far[1]})
    figures["rollout-over-time"] = rows

    ages: dict[str | None, list[int]] = defaultdict(list)
    for training in raw.trainings:
        key = (training["trainer"], training["cohort"])
        submitted = training["submitted_at"]
        if (training["status"] in (ReportStatus.SUBMITTED, ReportStatus.RESUBMITTED)
                and key in scoped and _training_visible(training, viewer, filters)
                and _in_period(submitted.date(), filters)):
            ages[scoped[key]].append((as_of - submitted.replace(tzinfo=UTC)).days)
    everyone = sorted(age for values in ages.values() for age in values)
    waiting_rows = [
        {"country": country_name(code), "waiting": len(ages[code]),
         "median_days": _median(ages[code]), "oldest_days": max(ages[code])}
        for code in sorted(ages, key=lambda code: country_name(code).casefold())
        if by_country.get(code, {"participants": 0})["participants"] >= MIN_GROUP
    ]
    waiting_rows.append({"country": "Total", "waiting": len(everyone),
                         "median_days": _median(everyone),
                         "oldest_days": max(everyone, default=None)})
    figures["reports-awaiting-review"] = waiting_rows
    return figures


def _median(values: list[int]) -> float | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return float(ordered[middle]) if len(ordered) % 2 else (ordered[middle - 1]
                                                            + ordered[middle]) / 2


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("viewer_key", VIEWERS)
def test_every_figure_equals_the_raw_rows(app: Flask, rollout: RolloutWorld,
                                          viewer_key: str) -> None:
    viewer = rollout.world.staff[viewer_key]
    raw = _raw(app)
    for filter_name in FILTERS:
        filters = _filters(filter_name, rollout)
        figures = _build(app, viewer, filters)
        as_of = figures["reports-awaiting-review"].as_of
        wanted = expected(raw, viewer, filters, as_of)
        assert list(figures) == ["rollout-cascade-by-country", "rollout-cascade-by-cohort",
                                 "rollout-over-time", "trainings-planned-vs-delivered",
                                 "reports-awaiting-review", "certificates-issued"]
        participants = len(_scoped(raw, viewer, filters))
        for figure_id, rows in wanted.items():
            figure = figures[figure_id]
            assert list(figure.table.rows) == rows, (filter_name, figure_id)
            assert figure.n == participants, (filter_name, figure_id)
            keys = [column.key for column in figure.table.columns]
            assert all(list(row) == keys for row in figure.table.rows), figure_id


def test_the_programme_figures_are_the_ones_counted_by_hand(app: Flask,
                                                          rollout: RolloutWorld) -> None:
    figures = _build(app, rollout.world.staff["admin"], Filters())
    by_country = {row["group"]: row for row in figures["rollout-cascade-by-country"].table.rows}
    # Burundi: Alice led two trainings (Bosco co-led one), Zacharie one in beta; "Save the
    # Children" written three ways counts once (also across the two cohorts); the withdrawn
    # and alternate trainers' trainings do not count.
    assert by_country["Burundi"] == {
        "group": "Burundi", "participants": 10, "trainers": 3, "trainers_share": 0.3,
        "trainings": 3, "organisations": 3, "trained": 17 + 12 + 15}
    assert by_country["Niger"]["organisations"] == 2  # Save the Children again: a new country
    assert "Chad" not in by_country  # 3 people: folded, but counted in the total
    assert by_country["Total"] == {
        "group": "Total", "participants": 26, "trainers": 10, "trainers_share": 10 / 26,
        "trainings": 8, "organisations": 8, "trained": 44 + 31 + 33 + 18}
    assert figures["rollout-cascade-by-country"].suppressed_groups == 1
    assert "1 group of fewer than 5 people is not shown" in \
        figures["rollout-cascade-by-country"].note
    waiting = {row["country"]: row for row in figures["reports-awaiting-review"].table.rows}
    congo = waiting[country_name("CD")]
    assert (congo["waiting"], congo["median_days"], congo["oldest_days"]) == (3, 9, 40)
    assert (waiting["Total"]["waiting"], waiting["Total"]["median_days"],
            waiting["Total"]["oldest_days"]) == (6, 10.5, 40)
    over_time = figures["rollout-over-time"]
    assert over_time.table.rows[-1]["trainings_cumulative"] == 7  # Yvette's has no date
    assert "1 delivered training has no start date" in over_time.note
    planned = {row["country"]: row for row in
               figures["trainings-planned-vs-delivered"].table.rows}
    assert (planned["Burundi"]["planned"], planned["Burundi"]["delivered"],
            planned["Burundi"]["fulfilled"]) == (2, 3, 1)
    certificates = figures["certificates-issued"].table.rows
    assert {"breakdown": "Cohort", "group": "ToT Alpha", "enrolled": 14, "certified": 3,
            "share": 3 / 14} in certificates


def test_a_focal_point_never_sees_another_countrys_trainings(app: Flask,
                                                            rollout: RolloutWorld) -> None:
    figures = _build(app, rollout.world.staff["focal_cd"], Filters())
    labels = {row["group"] for row in figures["rollout-cascade-by-country"].table.rows}
    assert "Burundi" not in labels and "Niger" not in labels
    total = figures["rollout-cascade-by-country"].table.rows[-1]
    assert (total["participants"], total["trainings"], total["trained"]) == (7, 2, 33)
    # Asking for Burundi gives nothing rather than Burundi's numbers.
    burundi = _build(app, rollout.world.staff["focal_cd"], Filters(country_code="BI"))
    assert burundi["rollout-cascade-by-country"].table.rows[-1]["trainings"] == 0
    assert burundi["reports-awaiting-review"].table.rows[-1]["waiting"] == 0


def test_a_facilitator_sees_only_their_cohorts(app: Flask, rollout: RolloutWorld) -> None:
    figures = _build(app, rollout.world.staff["fac_beta"], Filters())
    cohorts = [row["group"] for row in figures["rollout-cascade-by-cohort"].table.rows]
    assert cohorts == ["ToT Beta", "Total"]
    # Beta's two Burundians are fewer than five: their country row is folded.
    countries = [row["group"] for row in figures["rollout-cascade-by-country"].table.rows]
    assert "Burundi" not in countries and figures["rollout-cascade-by-country"].n == 9


def test_a_french_reader_gets_french_labels_and_notes(app: Flask, rollout: RolloutWorld) -> None:
    figures = _build(app, rollout.world.staff["admin"], Filters(), language="fr")
    cascade = figures["rollout-cascade-by-country"]
    assert cascade.title == in_french("Roll-out cascade by country")
    assert [column.label for column in cascade.table.columns][1] == in_french("ToT participants")
    assert in_french("%(num)d group of fewer than %(min)d people is not shown; "
                     "the total counts it.",
                     "%(num)d groups of fewer than %(min)d people are not shown; "
                     "the total counts them.", num=1, min=MIN_GROUP) in cascade.note
    assert cascade.table.rows[-1]["group"] == in_french("Total")
    months = [row["month"] for row in figures["rollout-over-time"].table.rows]
    assert months[0] == "mai 2030" and months[-1] == "janvier 2031"


# --- the rendered page -----------------------------------------------------------------------


def test_the_page_shows_the_numbers_in_the_readers_language(app: Flask, client,  # type: ignore[no-untyped-def]
                                                            rollout: RolloutWorld,
                                                            make_user) -> None:
    reader = make_user(Role.FOCAL_POINT, country=None, focal_countries=["BI", "NE"],
                       language="fr")
    assert sign_in(client, reader).status_code == 302
    response = client.get("/analytics/rollout")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert in_french("Roll-out cascade by country") in text
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        burundi_share = format_percent(0.3)  # 3 trainers of 10 ToT participants
        trained = format_decimal(44 + 31)  # Burundi and Niger
    assert burundi_share in text and "%" in burundi_share and burundi_share != "30%"
    assert f"<td class=\"num\">{trained}</td>" in text
    assert country_name("CD", "fr") not in text  # DR Congo is not theirs
    assert client.get("/analytics/survey").status_code == 200
