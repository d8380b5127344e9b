"""The real course in modules/ and quizzes/: shape, size, coverage and originality."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from learning.config import PROJECT_ROOT
from learning.content.loader import load_catalogue
from learning.content.schema import Catalogue

SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
SHINGLE = 12


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(PROJECT_ROOT)


def test_the_course_has_two_precourse_parts_and_four_modules(catalogue):
    kinds = [(unit.kind, unit.id) for unit in catalogue.units]
    assert [kind for kind, _ in kinds] == ["precourse"] * 2 + ["module"] * 4


@pytest.mark.parametrize("language", ["en", "fr"])
def test_unit_sizes_suit_slow_connections(catalogue, language):
    for unit in catalogue.units:
        words = sum(section.words[language] for section in unit.sections)
        low, high = (3000, 6000) if unit.kind == "precourse" else (4000, 8000)
        assert low <= words <= high, (unit.id, language, words)
        for section in unit.sections:
            assert section.words[language] <= 1500, (section.id, language)


def test_every_module_has_the_required_activities(catalogue):
    for unit in catalogue.units:
        assert unit.objectives and unit.recap, unit.id
        kinds = Counter(section.kind for section in unit.sections)
        if unit.kind == "precourse":
            assert kinds["reflection"] >= 1
            continue
        assert kinds["case-study"] >= 2 and kinds["role-play"] >= 1, unit.id
        assert kinds["discussion"] >= 1 and kinds["facilitator-notes"] == 1, unit.id
        assert unit.sections[0].kind == "reading"
        last = unit.sections[-1]
        assert last.kind == "reflection" and last.has_action_plan, unit.id
        assert last.action_plan_suggestions.en and last.action_plan_suggestions.fr


def test_every_keyed_answer_is_among_the_options_in_both_languages(catalogue):
    checked = 0
    for bank in catalogue.quizzes.values():
        for question in bank.questions:
            if question.type not in ("single_choice", "multiple_choice") or \
                    question.answer is None:
                continue
            keys = {question.answer} if isinstance(question.answer, str) else set(question.answer)
            option_ids = {option.id for option in question.options}
            assert keys <= option_ids, question.id
            for option in question.options:
                assert option.text.en.strip() and option.text.fr.strip(), (question.id, option.id)
            checked += 1
    assert checked >= 60


def test_each_module_objective_is_measured_by_two_knowledge_test_items(catalogue):
    bank = catalogue.quiz("knowledge-test")
    assert bank is not None and len(bank.questions) >= 40
    measured = Counter(question.objective for question in bank.questions)
    for unit in catalogue.units:
        if unit.kind != "module":
            continue
        for objective in unit.objectives:
            assert measured[objective.id] >= 2, objective.id


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[^\W\d_]+", text.lower())
    return {tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seeds live in ../shared/seeds beside the repo")
def test_no_sentence_is_copied_from_the_seeds():
    seed_shingles: set[tuple[str, ...]] = set()
    for seed in SEEDS.iterdir():
        seed_shingles |= _shingles(seed.read_text(encoding="utf-8", errors="replace"))
    copied = []
    for folder in ("modules", "quizzes"):
        for path in sorted((PROJECT_ROOT / folder).rglob("*")):
            if path.suffix not in (".md", ".yaml"):
                continue
            shared = _shingles(path.read_text(encoding="utf-8")) & seed_shingles
            if shared:
                copied.append((str(path.relative_to(PROJECT_ROOT)), " ".join(next(iter(shared)))))
    assert copied == []


def test_glossary_term_for_the_feelings_check_is_used_everywhere():
    glossary = (PROJECT_ROOT / "modules" / "GLOSSARY.md").read_text(encoding="utf-8")
    assert "vérification des sensations" in glossary
    for path in Path(PROJECT_ROOT / "modules").rglob("*.fr.md"):
        assert "vérification des ressentis" not in path.read_text(encoding="utf-8"), path
