"""A small course and one bank of each kind, written into a content root for the attempt
and gating tests, and helpers to enrol people and move them through the course.

The units carry the real ids of pre-course part 1 and modules 1–4 (one or two sections
each; module 4 also has facilitator notes) and the real module 1 quiz is copied in, so
the gating rules meet the ids they meet in production.
"""

from __future__ import annotations

import html
import re
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import User
from learning.assessments.models import Answer, Attempt
from learning.cohorts.models import Cohort, CohortCountry, Enrolment, EnrolmentStatus
from learning.config import PROJECT_ROOT
from learning.core.models import WriteReceipt
from learning.courses.models import SectionProgress
from learning.db import db, utcnow

JSON = {"Accept": "application/json"}
PRECOURSE_1 = "precourse-1-case-management"
MODULE_1 = "module-1-defining-supervision"
MODULE_4 = "module-4-staff-care"

# unit id → (order, kind, [(section id, kind)])
UNITS: dict[str, tuple[int, str, list[tuple[str, str]]]] = {
    PRECOURSE_1: (1, "precourse", [("pc1-a", "reading"), ("pc1-b", "reading")]),
    MODULE_1: (2, "module", [("m1-a", "reading"), ("m1-b", "reading")]),
    "module-2-practices-and-tools": (3, "module", [("m2-a", "reading")]),
    "module-3-skills": (4, "module", [("m3-a", "reading")]),
    MODULE_4: (5, "module", [("m4-a", "reading"), ("m4-b", "case-study"),
                             ("m4-notes", "facilitator-notes")]),
}


def _text(en: str) -> dict[str, str]:
    return {"en": en, "fr": f"{en} (fr)"}


def _choices(*ids: str) -> list[dict[str, Any]]:
    return [{"id": option, "text": _text(f"Option {option}"),
             "explanation": _text(f"Why {option}")} for option in ids]


def _question(question_id: str, question_type: str, **keys: Any) -> dict[str, Any]:
    return {"id": question_id, "type": question_type, "text": _text(f"Question {question_id}"),
            **keys}


BANKS: dict[str, dict[str, Any]] = {
    "test-knowledge": {
        "kind": "knowledge-test", "title": _text("Knowledge test"),
        "description": _text("Taken before and after the modules."),
        "time_limit_minutes": 20,
        "forms": {"pre": ["tk-1", "tk-2", "tk-3"], "post": ["tk-2", "tk-3", "tk-4"]},
        "questions": [
            _question("tk-1", "single_choice", objective="m1-o1", options=_choices("a", "b", "c"),
                      answer="a"),
            _question("tk-2", "multiple_choice", objective="m1-o2",
                      options=_choices("a", "b", "c", "d"), answer=["a", "c"]),
            _question("tk-3", "true_false", objective="m1-o3", answer=True,
                      explanation=_text("Because.")),
            _question("tk-4", "single_choice", objective="m1-o4", options=_choices("a", "b", "c"),
                      answer="b"),
        ],
    },
    "test-confidence": {
        "kind": "confidence", "title": _text("Confidence self-assessment"),
        "areas": [{"id": "maltreatment-effects", "title": _text("Effects of maltreatment")},
                  {"id": "supervision-coaching", "title": _text("Supervising and coaching")}],
        "questions": [_question(f"tc-{n}", "rating", area=area, min=1, max=5)
                      for n, area in [(1, "maltreatment-effects"), (2, "maltreatment-effects"),
                                      (3, "maltreatment-effects"), (4, "supervision-coaching"),
                                      (5, "supervision-coaching")]],
    },
    "test-style": {
        "kind": "learning-style", "title": _text("How I learn"),
        "preferences": {
            name: {"title": _text(name.title()), "description": _text(f"{name} description"),
                   "tips": _text(f"{name} tips")}
            for name in ("activist", "reflector", "theorist", "pragmatist")},
        "questions": [_question(f"ls-{n}", "likert", preference=preference)
                      for n, preference in enumerate(
                          ["activist", "activist", "reflector", "reflector", "theorist",
                           "theorist", "pragmatist", "pragmatist"], start=1)],
    },
    "rating-precourse-1": {
        "kind": "rating", "unit": PRECOURSE_1, "title": _text("Rate pre-course part 1"),
        "questions": [_question("rp1-useful", "rating"), _question("rp1-comment", "long_text")],
    },
    "test-evaluation": {
        "kind": "evaluation", "title": _text("ToT evaluation"),
        "questions": [_question("ev-1", "likert")],
    },
    "test-survey": {
        "kind": "survey", "anonymous": True, "title": _text("Lessons-learned survey"),
        "questions": [
            _question("sv-matrix", "matrix",
                      statements=[{"id": "s1", "text": _text("The tools were useful.")},
                                  {"id": "s2", "text": _text("The cascade worked.")}]),
            _question("sv-rank", "ranking", options=_choices("a", "b", "c")),
            _question("sv-text", "long_text"),
        ],
    },
}


def _unit(unit_id: str, order: int, kind: str) -> dict[str, Any]:
    return {"id": unit_id, "order": order, "kind": kind, "minutes": 30, "prerequisites": [],
            **({"quiz": "quiz-module-1"} if unit_id == MODULE_1 else {}),
            "title": _text(f"Unit {unit_id}"), "summary": _text("A unit for the tests."),
            "objectives": [{"id": f"{unit_id}-o1", "en": "An objective", "fr": "Un objectif"}],
            "recap": [{"en": "A point", "fr": "Un point"}]}


def write_content(root: Path) -> Path:
    """The fixture course under ``root`` (``modules/`` and ``quizzes/``)."""
    for unit_id, (order, kind, sections) in UNITS.items():
        folder = root / "modules" / unit_id
        folder.mkdir(parents=True)
        (folder / "unit.yaml").write_text(yaml.safe_dump(_unit(unit_id, order, kind)))
        for number, (section_id, section_kind) in enumerate(sections, start=1):
            for language in ("en", "fr"):
                (folder / f"{number:02d}-{section_id}.{language}.md").write_text(
                    f"---\nid: {section_id}\ntitle: Section {section_id}\nminutes: 5\n"
                    f"kind: {section_kind}\n---\n\nSome text ({language}).\n")
    quizzes = root / "quizzes"
    quizzes.mkdir()
    shutil.copy(PROJECT_ROOT / "quizzes" / "quiz-module-1.yaml", quizzes)
    for bank_id, bank in BANKS.items():
        (quizzes / f"{bank_id}.yaml").write_text(
            yaml.safe_dump({"id": bank_id, **bank}, allow_unicode=True, sort_keys=False))
    return root


# --- people and progress ------------------------------------------------------------------


def enrol(app: Flask, *people: User, settings: dict[str, Any] | None = None) -> int:
    """A cohort with these people enrolled (confirmed); returns its id."""
    with app.app_context():
        cohort = Cohort(name="Gitega ToT", slug=f"gitega-{people[0].id}",
                        start_date=date(2030, 3, 2), end_date=date(2030, 3, 6),
                        settings=settings or {}, countries=[CohortCountry(country_code="BI")])
        db.session.add(cohort)
        db.session.flush()
        for person in people:
            db.session.add(Enrolment(cohort_id=cohort.id, user_id=person.id,
                                     status=EnrolmentStatus.CONFIRMED))
        db.session.commit()
        return cohort.id


def progress(app: Flask, person: User, unit_id: str, *, completed: bool = True,
             sections: list[str] | None = None) -> None:
    """Open (and by default complete) sections of a unit: all of them unless named."""
    names = sections or [section_id for section_id, _kind in UNITS[unit_id][2]]
    with app.app_context():
        now = utcnow()
        for section_id in names:
            db.session.add(SectionProgress(user_id=person.id, unit_id=unit_id,
                                           section_id=section_id, opened_at=now,
                                           last_seen_at=now,
                                           completed_at=now if completed else None))
        db.session.commit()


def rows(app: Flask, model: type) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(select(model)))


def attempts(app: Flask) -> list[Attempt]:
    with app.app_context():
        return list(db.session.scalars(select(Attempt).order_by(Attempt.id)))


def answers(app: Flask, attempt_id: int) -> dict[str, Any]:
    with app.app_context():
        found = db.session.scalars(select(Answer).where(Answer.attempt_id == attempt_id))
        return {row.question_id: row.value for row in found}


def receipts(app: Flask) -> int:
    return len(rows(app, WriteReceipt))


def start(client: Any, bank_id: str, purpose: str) -> int:
    """Start (or resume) through the page, as the Start button does; returns the attempt id."""
    response = client.submit(f"/assessments/{bank_id}/{purpose}")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    page = client.get(f"/assessments/{bank_id}/{purpose}").get_data(as_text=True)
    marker = "/assessments/attempts/"
    start_at = page.index(marker) + len(marker)
    return int(page[start_at:page.index("/", start_at)])


def save_json(client: Any, attempt_id: int, question_id: str, value: Any, key: str) -> Any:
    return client.post(f"/assessments/attempts/{attempt_id}/answers/{question_id}",
                       json={"value": value, "key": key},
                       headers={**JSON, "X-CSRFToken": client.token()})


def use_fixture_course(monkeypatch: Any, tmp_path_factory: Any) -> Path:
    """Point the next app at the fixture course (written once per test session)."""
    root = tmp_path_factory.getbasetemp() / "assessment-course"
    if not root.exists():
        write_content(root)
    monkeypatch.setenv("TANDEM_CONTENT_PATH", str(root))
    return root


def page_text(response: Any) -> str:
    """A page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(without_tags).split())
