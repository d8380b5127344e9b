"""Time the cohort results for 2,000 participants answering a 60-item knowledge test.

Builds a throwaway SQLite database (the schema from the models) holding one cohort of
2,000 participants, each with a pre-test and (for 95 % of them) a post-test of 60 scored
answers: 4,000 attempts and about 234,000 answers, plus a second cohort of 300 so the
queries have rows to skip. It then computes the whole results page's data
(``results.cohort_results``: knowledge per participant and country, item analysis with
both discrimination indices, and the questionnaire and survey sections) several times and
prints the median, and the median of rendering the page's HTML as well. The issue's
target is the computation: under one second.

    .venv/bin/python benchmarks/assessment_results.py [--participants 2000] [--items 60]
                                                      [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from flask import Flask
from flask_login import login_user
from sqlalchemy import create_engine, insert, select

from learning import create_app
from learning.accounts.models import Role, User
from learning.assessments import results
from learning.assessments.models import Answer, Attempt, AttemptStatus, Purpose
from learning.cohorts.models import Cohort, CohortCountry, CohortFacilitator
from learning.config import TestConfig
from learning.courses.catalogue import get_catalogue
from learning.db import Base, db
from learning.models import import_all_models

BANK = "bench-knowledge-test"
COUNTRIES = ("BI", "CD", "NE", "TD", "IQ", "LB")
SUBMITTED_AT = datetime(2030, 3, 6, 10, tzinfo=UTC)


def _cohort(slug: str, facilitator_id: int | None) -> int:
    cohort = Cohort(name=slug, slug=slug, start_date=date(2030, 3, 2), end_date=date(2030, 3, 6),
                    countries=[CohortCountry(country_code=code) for code in COUNTRIES])
    if facilitator_id is not None:
        cohort.facilitators = [CohortFacilitator(user_id=facilitator_id)]
    db.session.add(cohort)
    db.session.flush()
    return cohort.id


def _fill_cohort(cohort_id: int, participants: int, items: int, first_user: int,
                 rng: random.Random) -> None:
    """Participants with a pre-test and mostly a post-test, every answer scored 0 or 1."""
    users = [{"id": first_user + n, "email": f"learner{first_user + n}@example.org",
              "name": f"Learner {first_user + n}", "role": Role.PARTICIPANT,
              "country_code": COUNTRIES[n % len(COUNTRIES)]} for n in range(participants)]
    db.session.execute(insert(User), users)
    attempts, answers = [], []
    attempt_id = db.session.scalar(select(Attempt.id).order_by(Attempt.id.desc()).limit(1)) or 0
    for user in users:
        ability = rng.uniform(0.25, 0.8)
        sittings = [(Purpose.PRE, ability)]
        if rng.random() < 0.95:
            sittings.append((Purpose.POST, min(1.0, ability + rng.uniform(0.0, 0.3))))
        for purpose, chance in sittings:
            attempt_id += 1
            points = [1.0 if rng.random() < chance else 0.0 for _ in range(items)]
            attempts.append({
                "id": attempt_id, "user_id": user["id"], "cohort_id": cohort_id,
                "bank_id": BANK, "purpose": purpose, "number": 1,
                "status": AttemptStatus.SUBMITTED, "form": purpose.value,
                "submitted_at": SUBMITTED_AT, "score": sum(points), "max_score": float(items),
                "percent": 100 * sum(points) / items,
            })
            answers.extend({"attempt_id": attempt_id, "question_id": f"bq-{item:02d}",
                            "value": "a" if point else "b", "points": point}
                           for item, point in enumerate(points, start=1))
    db.session.execute(insert(Attempt), attempts)
    db.session.execute(insert(Answer), answers)


def build(app: Flask, participants: int, items: int) -> tuple[int, int]:
    """The database; returns (cohort id, facilitator id)."""
    rng = random.Random(20300306)  # noqa: S311 (synthetic data, reproducible)
    with app.app_context():
        engine = create_engine(app.config["DATABASE_URL"])
        Base.metadata.create_all(engine)
        engine.dispose()
        facilitator = User(email="facilitator@example.org", name="Facilitator",
                           role=Role.FACILITATOR)
        db.session.add(facilitator)
        db.session.flush()
        measured = _cohort("measured", facilitator.id)
        _fill_cohort(measured, participants, items, first_user=1000, rng=rng)
        other = _cohort("other", None)
        _fill_cohort(other, 300, items, first_user=1000 + participants, rng=rng)
        db.session.commit()
        return measured, facilitator.id


def median_seconds(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=2000)
    parser.add_argument("--items", type=int, default=60)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    import_all_models()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(TestConfig(instance_path=Path(folder),
                                    database_url=f"sqlite:///{folder}/bench.db"))
        started = time.perf_counter()
        cohort_id, facilitator_id = build(app, args.participants, args.items)
        print(f"built {args.participants} participants × {args.items} items "
              f"in {time.perf_counter() - started:.1f} s")
        from learning.assessments import results_views

        with app.test_request_context(f"/cohorts/{cohort_id}/results"):
            facilitator = db.session.get(User, facilitator_id)
            cohort = db.session.get(Cohort, cohort_id)
            assert facilitator is not None and cohort is not None
            login_user(facilitator)
            scope = results.scope_for(facilitator, cohort)
            catalogue = get_catalogue()
            computed = results.cohort_results(scope, catalogue)
            (knowledge,) = computed.knowledge
            print(f"paired n {knowledge.overall.summary.paired_n}, "
                  f"items analysed {len(computed.items[0].items)}")
            compute = median_seconds(lambda: results.cohort_results(scope, catalogue), args.runs)
            page = median_seconds(lambda: results_views.cohort_results(cohort_id), args.runs)
        db.dispose()
    print(f"results computation: median {compute:.3f} s over {args.runs} runs "
          f"(target < 1 s: {'met' if compute < 1 else 'NOT met'})")
    print(f"results page with HTML: median {page:.3f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
