"""Loading the fixture course into immutable objects."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import learning.content
from learning.content.checks import check_content
from learning.content.loader import load_catalogue

UNIT = "sample-module"


def test_valid_fixture_has_no_problems(valid_root: Path) -> None:
    assert check_content(valid_root) == []


def test_units_and_sections_in_order_with_html_in_both_languages(valid_root: Path) -> None:
    catalogue = load_catalogue(valid_root)
    (unit,) = catalogue.units
    assert unit.id == UNIT
    assert unit.kind == "module"
    assert unit.quiz_id == "quiz-sample-module"
    assert unit.title.fr == "Module exemple — La supervision en bref"
    assert [o.id for o in unit.objectives] == ["sm-o1", "sm-o2"]
    assert unit.recap[0].en.startswith("Supervision has")
    assert unit.folder == valid_root / "modules" / UNIT
    assert [s.id for s in unit.sections] == ["sm-welcome", "sm-recap-and-action-plan"]
    assert [s.order for s in unit.sections] == [1, 2]

    welcome = catalogue.section("sm-welcome")
    assert welcome is not None
    assert welcome.kind == "reading"
    assert welcome.minutes == 15
    assert welcome.title.en == "Welcome to the sample module"
    assert welcome.title.fr == "Bienvenue dans le module exemple"
    assert "<strong>three functions</strong>" in welcome.html.en
    assert "<strong>trois fonctions</strong>" in welcome.html.fr
    assert 'src="/content/sample-module/images/diagram.png"' in welcome.html.fr
    assert 'href="/learn/sections/sm-recap-and-action-plan"' in welcome.html.en
    assert '<div class="reflection" data-reflection-id="sm-r-first-supervisor">' in welcome.html.fr
    assert [r.id for r in welcome.reflections] == ["sm-r-first-supervisor"]
    assert welcome.reflections[0].text.fr.startswith("Pensez au meilleur superviseur")
    assert welcome.words.en > 50 and welcome.words.fr > 50
    assert not welcome.has_action_plan

    recap = catalogue.section("sm-recap-and-action-plan")
    assert recap is not None
    assert recap.has_action_plan
    assert recap.action_plan_intro.en == "Suggested starting points:"
    assert len(recap.action_plan_suggestions.fr) == 3
    assert recap.action_plan_suggestions.en[0].startswith("Book a monthly")
    assert '<div class="action-plan-exercise"></div>' in recap.html.en
    assert welcome.version != recap.version


def test_question_bank(valid_root: Path) -> None:
    quiz = load_catalogue(valid_root).quiz("quiz-sample-module")
    assert quiz is not None
    assert (quiz.kind, quiz.unit_id, quiz.pass_mark) == ("quiz", UNIT, 70)
    assert [q.type for q in quiz.questions] == ["single_choice", "multiple_choice", "true_false"]
    single, multiple, true_false = quiz.questions
    assert single.answer == "b"
    assert [o.id for o in single.options] == ["a", "b", "c"]
    assert single.options[1].text.fr == "Éducative"
    assert multiple.answer == ("a", "c")
    assert true_false.answer is False
    assert true_false.explanation is not None
    assert true_false.raw["objective"] == "sm-o1"
    with pytest.raises(TypeError):
        true_false.raw["answer"] = True  # type: ignore[index]


def test_objects_are_immutable(valid_root: Path) -> None:
    catalogue = load_catalogue(valid_root)
    section = catalogue.units[0].sections[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalogue.sections["x"] = section  # type: ignore[index]


def test_lookups_and_facilitator_notes_visibility(content_root: Path) -> None:
    folder = content_root / "modules" / UNIT
    for language in ("en", "fr"):
        (folder / f"02-recap-and-action-plan.{language}.md").rename(
            folder / f"03-recap-and-action-plan.{language}.md")
        (folder / f"02-facilitator-notes.{language}.md").write_text(
            "---\nid: sm-facilitator-notes\ntitle: Notes\nminutes: 5\n"
            "kind: facilitator-notes\n---\n\nRun the session in pairs.\n", encoding="utf-8")
    assert check_content(content_root) == []
    catalogue = load_catalogue(content_root)

    everyone = catalogue.visible_sections(UNIT, include_facilitator_notes=False)
    facilitators = catalogue.visible_sections(UNIT, include_facilitator_notes=True)
    assert [s.id for s in everyone] == ["sm-welcome", "sm-recap-and-action-plan"]
    assert [s.id for s in facilitators] == [
        "sm-welcome", "sm-facilitator-notes", "sm-recap-and-action-plan"]

    def next_id(section_id: str, notes: bool) -> str | None:
        found = catalogue.next_section(section_id, include_facilitator_notes=notes)
        return found.id if found else None

    def previous_id(section_id: str, notes: bool) -> str | None:
        found = catalogue.previous_section(section_id, include_facilitator_notes=notes)
        return found.id if found else None

    assert next_id("sm-welcome", False) == "sm-recap-and-action-plan"
    assert next_id("sm-welcome", True) == "sm-facilitator-notes"
    assert previous_id("sm-recap-and-action-plan", False) == "sm-welcome"
    assert previous_id("sm-recap-and-action-plan", True) == "sm-facilitator-notes"
    assert next_id("sm-recap-and-action-plan", True) is None
    assert previous_id("sm-welcome", True) is None
    assert next_id("no-such-section", True) is None
    assert catalogue.unit("no-such-unit") is None
    assert catalogue.visible_sections("no-such-unit", include_facilitator_notes=True) == ()
    notes = catalogue.section("sm-facilitator-notes")
    assert notes is not None and notes.facilitator_only
    assert catalogue.unit_of(notes).id == UNIT


def test_missing_translation_falls_back_and_nothing_is_raised(content_root: Path) -> None:
    (content_root / "modules" / UNIT / "02-recap-and-action-plan.fr.md").unlink()
    (content_root / "quizzes" / "quiz-sample-module.yaml").write_text("id: [unclosed\n")
    catalogue = load_catalogue(content_root)
    recap = catalogue.section("sm-recap-and-action-plan")
    assert recap is not None
    assert recap.title.fr == "Recap and action plan"
    assert recap.html.fr == recap.html.en
    assert catalogue.quizzes == {}


def test_empty_or_absent_root_gives_an_empty_catalogue(tmp_path: Path) -> None:
    catalogue = load_catalogue(tmp_path)
    assert catalogue.units == ()
    assert [p.message for p in check_content(tmp_path)] == [
        "no modules/ folder under the content root"]


def test_section_version_changes_with_the_text(content_root: Path, valid_root: Path) -> None:
    before = load_catalogue(valid_root).section("sm-welcome")
    path = content_root / "modules" / UNIT / "01-welcome.fr.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nUne phrase de plus.\n", encoding="utf-8")
    after = load_catalogue(content_root).section("sm-welcome")
    assert before is not None and after is not None
    assert before.version != after.version


def test_content_package_does_not_import_flask() -> None:
    """Only cli.py may import Flask: the engine must load in scripts and workers alone."""
    package = Path(learning.content.__file__).parent
    for module in sorted(package.glob("*.py")):
        if module.name == "cli.py":
            continue
        tree = ast.parse(module.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(("flask", "learning.content.cli")), (module, name)

