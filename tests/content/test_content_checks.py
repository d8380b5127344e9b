"""The content check: fixture roots broken on purpose fail, naming file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.content.checks import check_content
from learning.content.schema import Problem

UNIT_DIR = "modules/sample-module"
UNIT_YAML = f"{UNIT_DIR}/unit.yaml"
WELCOME_EN = f"{UNIT_DIR}/01-welcome.en.md"
WELCOME_FR = f"{UNIT_DIR}/01-welcome.fr.md"
RECAP_EN = f"{UNIT_DIR}/02-recap-and-action-plan.en.md"
RECAP_FR = f"{UNIT_DIR}/02-recap-and-action-plan.fr.md"
QUIZ = "quizzes/quiz-sample-module.yaml"


def edit(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(root: Path, file: str, needle: str) -> int:
    lines = (root / file).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if needle in line)


def find(problems: list[Problem], file: str, fragment: str) -> Problem:
    matches = [p for p in problems if p.file == file and fragment in p.message]
    assert matches, "\n".join(map(str, problems))
    return matches[0]


def test_missing_french_section_names_the_file(content_root: Path) -> None:
    (content_root / RECAP_FR).unlink()
    problem = find(check_content(content_root), RECAP_EN, "French version is missing")
    assert "02-recap-and-action-plan.fr.md" in problem.message
    assert problem.line == 1


def test_dangling_quiz_id(content_root: Path) -> None:
    edit(content_root, UNIT_YAML, "quiz: quiz-sample-module", "quiz: quiz-nowhere")
    problem = find(check_content(content_root), UNIT_YAML, "quiz 'quiz-nowhere' does not exist")
    assert problem.line == line_of(content_root, UNIT_YAML, "quiz: quiz-nowhere") == 6


def test_script_in_markdown(content_root: Path) -> None:
    edit(content_root, WELCOME_EN, "## The functions at a glance",
         "<script>alert(1)</script>\n\n## The functions at a glance")
    problem = find(check_content(content_root), WELCOME_EN, "raw HTML '<script>'")
    assert problem.line == line_of(content_root, WELCOME_EN, "<script>")
    assert str(problem).startswith(f"{WELCOME_EN}:{problem.line}: raw HTML")


@pytest.mark.parametrize("markup", ["line<br>break", "<!-- note -->", "</div>",
                                    '<img src="x.png">', "<div"])
def test_any_raw_html_is_reported(content_root: Path, markup: str) -> None:
    edit(content_root, WELCOME_FR, "Quand vous êtes prêt", f"{markup}\n\nQuand vous êtes prêt")
    problem = find(check_content(content_root), WELCOME_FR, "raw HTML")
    assert problem.line == line_of(content_root, WELCOME_FR, markup)


def test_html_in_code_and_comparisons_is_not_raw_html(content_root: Path) -> None:
    edit(content_root, WELCOME_EN, "When you are ready",
         "Write `<br>` in code, compare 3 < 5 and x<5.\n\n"
         "```\n<div>fenced</div>\n```\n\n"
         "Some text.\n\n    <div>indented code</div>\n\n"
         "- a list\n\n    a list paragraph, not code: <b>bold</b>\n\nWhen you are ready")
    problems = check_content(content_root)
    assert [(p.line, p.message) for p in problems] == [
        (line_of(content_root, WELCOME_EN, "<b>bold</b>"),
         "raw HTML '<b>' is not allowed in Markdown (it would be removed)")
    ]


def test_different_ids_between_languages(content_root: Path) -> None:
    edit(content_root, WELCOME_FR, "id: sm-welcome", "id: sm-bienvenue")
    problem = find(check_content(content_root), WELCOME_FR, "id 'sm-bienvenue' differs")
    assert "'sm-welcome'" in problem.message and "01-welcome.en.md" in problem.message
    assert problem.line == 2


def test_different_kind_between_languages(content_root: Path) -> None:
    edit(content_root, WELCOME_FR, "kind: reading", "kind: discussion")
    problem = find(check_content(content_root), WELCOME_FR, "kind 'discussion' differs")
    assert problem.line == 5


def test_different_reflection_ids_between_languages(content_root: Path) -> None:
    edit(content_root, WELCOME_FR, "::: reflection sm-r-first-supervisor",
         "::: reflection sm-r-premier-superviseur")
    problem = find(check_content(content_root), WELCOME_FR, "reflection ids")
    assert "sm-r-premier-superviseur" in problem.message
    assert problem.line == line_of(content_root, WELCOME_FR, "::: reflection")


def test_reflection_without_id(content_root: Path) -> None:
    edit(content_root, WELCOME_EN, "::: reflection sm-r-first-supervisor", "::: reflection")
    problem = find(check_content(content_root), WELCOME_EN, "reflection block without an id")
    assert problem.line == line_of(content_root, WELCOME_EN, "::: reflection")


def test_unclosed_block(content_root: Path) -> None:
    recap = content_root / RECAP_EN
    recap.write_text(recap.read_text(encoding="utf-8").rstrip().removesuffix(":::"),
                     encoding="utf-8")
    problem = find(check_content(content_root), RECAP_EN, "never closed")
    assert problem.line == line_of(content_root, RECAP_EN, "::: action-plan")


def test_broken_section_link(content_root: Path) -> None:
    edit(content_root, RECAP_FR, "section:sm-welcome", "section:sm-nowhere")
    problem = find(check_content(content_root), RECAP_FR, "no section with id 'sm-nowhere'")
    assert problem.line == line_of(content_root, RECAP_FR, "section:sm-nowhere")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("https://example.org", "external link"),
        ("javascript:alert(1)", "is not allowed"),
        ("other-file.md", "is not allowed"),
    ],
)
def test_links_other_than_sections(content_root: Path, target: str, message: str) -> None:
    edit(content_root, WELCOME_EN, "section:sm-recap-and-action-plan", target)
    problem = find(check_content(content_root), WELCOME_EN, message)
    assert problem.line == line_of(content_root, WELCOME_EN, target)


def test_missing_image(content_root: Path) -> None:
    (content_root / UNIT_DIR / "images" / "diagram.png").unlink()
    problems = check_content(content_root)
    for file in (WELCOME_EN, WELCOME_FR):
        problem = find(problems, file, "missing image file 'images/diagram.png'")
        assert problem.line == line_of(content_root, file, "images/diagram.png")


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("../../secret.png", "must be a file in the unit folder"),
        ("https://example.org/a.png", "must be a file in the unit folder"),
        ("data:image/png;base64,AAAA", "must be a file in the unit folder"),
        ("unit.yaml", "must be a PNG, JPEG, GIF or WebP file"),
        ("images/drawing.svg", "must be a PNG, JPEG, GIF or WebP file"),
    ],
)
def test_image_must_be_a_picture_in_the_unit_folder(content_root: Path, src: str,
                                                    message: str) -> None:
    edit(content_root, WELCOME_EN, "images/diagram.png", src)
    problem = find(check_content(content_root), WELCOME_EN, message)
    assert problem.line == line_of(content_root, WELCOME_EN, src)


def test_unknown_kind(content_root: Path) -> None:
    for file in (WELCOME_EN, WELCOME_FR):
        edit(content_root, file, "kind: reading", "kind: lecture")
    problem = find(check_content(content_root), WELCOME_EN, "unknown kind 'lecture'")
    assert problem.line == 5


def test_front_matter_problems(content_root: Path) -> None:
    edit(content_root, WELCOME_EN, "minutes: 15\n", "minutes: soon\nauthor: me\n")
    edit(content_root, RECAP_EN, "title: Recap and action plan\n", "")
    problems = check_content(content_root)
    assert find(problems, WELCOME_EN, "minutes must be").line == 4
    assert find(problems, WELCOME_EN, "unknown front-matter key 'author'").line == 5
    find(problems, RECAP_EN, "front matter has no 'title'")


def test_missing_front_matter(content_root: Path) -> None:
    path = content_root / WELCOME_EN
    path.write_text(path.read_text(encoding="utf-8").split("---", 2)[2], encoding="utf-8")
    problem = find(check_content(content_root), WELCOME_EN, "no front matter")
    assert problem.line == 1


def test_duplicate_section_and_reflection_ids_across_units(content_root: Path) -> None:
    other = content_root / "modules" / "other-module"
    other.mkdir()
    (other / "unit.yaml").write_text(
        (content_root / UNIT_YAML).read_text(encoding="utf-8")
        .replace("id: sample-module", "id: other-module").replace("order: 1", "order: 2")
        .replace("quiz: quiz-sample-module\n", "").replace("sm-o", "om-o"),
        encoding="utf-8")
    for language in ("en", "fr"):
        source = content_root / UNIT_DIR / f"01-welcome.{language}.md"
        (other / f"01-copy.{language}.md").write_text(
            source.read_text(encoding="utf-8").replace("images/diagram.png", "section:sm-welcome")
            .replace("![", "["), encoding="utf-8")
        (other / f"02-recap.{language}.md").write_text(
            (content_root / UNIT_DIR / f"02-recap-and-action-plan.{language}.md")
            .read_text(encoding="utf-8").replace("id: sm-recap", "id: om-recap"),
            encoding="utf-8")
    problems = check_content(content_root)
    copy = "modules/other-module/01-copy.en.md"
    assert find(problems, copy, "section id 'sm-welcome' is also used by").line == 2
    reflection = find(problems, copy, "reflection id 'sm-r-first-supervisor' is also used")
    assert reflection.line == line_of(content_root, copy, "::: reflection")


def test_unit_yaml_problems(content_root: Path) -> None:
    edit(content_root, UNIT_YAML, "prerequisites: []", "prerequisites: [precourse-9]")
    edit(content_root, UNIT_YAML, '  fr: "Module exemple — La supervision en bref"\n', "")
    edit(content_root, UNIT_YAML, "minutes: 40\n", "")
    edit(content_root, UNIT_YAML, "kind: module", "kind: lesson")
    problems = check_content(content_root)
    assert find(problems, UNIT_YAML, "unknown prerequisite unit 'precourse-9'").line == \
        line_of(content_root, UNIT_YAML, "prerequisites:")
    assert find(problems, UNIT_YAML, "title has no French text").line == line_of(
        content_root, UNIT_YAML, "title:")
    find(problems, UNIT_YAML, "missing required key 'minutes'")
    assert find(problems, UNIT_YAML, "unknown unit kind 'lesson'").line == 3


def test_unit_without_unit_yaml(content_root: Path) -> None:
    (content_root / UNIT_YAML).unlink()
    find(check_content(content_root), UNIT_YAML, "no unit.yaml")


def test_badly_named_section_file(content_root: Path) -> None:
    (content_root / WELCOME_EN).rename(content_root / UNIT_DIR / "1-Welcome.en.md")
    problems = check_content(content_root)
    find(problems, f"{UNIT_DIR}/1-Welcome.en.md", "file name must be NN-slug")
    find(problems, WELCOME_FR, "English version is missing")


def test_section_over_the_word_limit(content_root: Path) -> None:
    edit(content_root, WELCOME_FR, "Quand vous êtes prêt",
         "mot " * 1500 + "\n\nQuand vous êtes prêt")
    problem = find(check_content(content_root), WELCOME_FR, "words in French (limit 1,500)")
    assert problem.line == 1


def test_action_plan_only_in_last_section_of_a_module(content_root: Path) -> None:
    edit(content_root, UNIT_YAML, "kind: module", "kind: precourse")
    problem = find(check_content(content_root), RECAP_EN, "belongs only in the last section")
    assert problem.line == line_of(content_root, RECAP_EN, "::: action-plan")


def test_yaml_syntax_error_is_located(content_root: Path) -> None:
    edit(content_root, QUIZ, "pass_mark: 70", "pass_mark: [70")
    problem = find(check_content(content_root), QUIZ, "YAML does not load")
    assert problem.line >= line_of(content_root, QUIZ, "pass_mark")


# --- question banks ----------------------------------------------------------------------


def test_quiz_answer_keys_must_be_option_ids(content_root: Path) -> None:
    edit(content_root, QUIZ, "answer: b", "answer: d")
    edit(content_root, QUIZ, "answer: [a, c]", "answer: [a, e]")
    problems = check_content(content_root)
    assert find(problems, QUIZ, "sm-q01: answer 'd' is not one of the option ids").line == \
        line_of(content_root, QUIZ, "answer: d")
    assert find(problems, QUIZ, "sm-q02: answer key 'e'").line == \
        line_of(content_root, QUIZ, "answer: [a, e]")


def test_quiz_option_text_in_both_languages(content_root: Path) -> None:
    edit(content_root, QUIZ, 'text: {en: "Educational", fr: "Éducative"}',
         'text: {en: "Educational"}')
    edit(content_root, QUIZ, 'en: "Which of these are concrete',
         'de: "Which of these are concrete')
    problems = check_content(content_root)
    problem = find(problems, QUIZ, "sm-q01 option b has no French text")
    assert problem.line == line_of(content_root, QUIZ, 'text: {en: "Educational"}')
    find(problems, QUIZ, "sm-q02 text has no English text")


def test_quiz_true_false_answer_must_be_boolean(content_root: Path) -> None:
    edit(content_root, QUIZ, "answer: false", 'answer: "false"')
    problem = find(check_content(content_root), QUIZ, "true_false answer must be true or false")
    assert problem.line == line_of(content_root, QUIZ, 'answer: "false"')


def test_quiz_unknown_type_and_objective(content_root: Path) -> None:
    edit(content_root, QUIZ, "type: true_false", "type: essay")
    edit(content_root, QUIZ, "objective: sm-o2", "objective: sm-o9")
    problems = check_content(content_root)
    assert find(problems, QUIZ, "unknown type 'essay'").line == \
        line_of(content_root, QUIZ, "type: essay")
    assert find(problems, QUIZ, "objective 'sm-o9' is not an objective of the unit").line == \
        line_of(content_root, QUIZ, "objective: sm-o9")
    find(problems, QUIZ, "no question measures objective 'sm-o2'")


def test_every_engine_question_type_is_accepted(content_root: Path) -> None:
    edit(content_root, QUIZ, "questions:\n", "questions:\n"
         "  - id: sm-q00\n    type: likert\n    objective: sm-o1\n"
         "    text: {en: \"I feel ready.\", fr: \"Je me sens prêt.\"}\n")
    assert check_content(content_root) == []


def test_duplicate_question_ids_across_banks(content_root: Path) -> None:
    other = content_root / "quizzes" / "survey-sample.yaml"
    other.write_text(
        "id: survey-sample\nkind: survey\ntitle: {en: Survey, fr: Enquête}\nquestions:\n"
        "  - id: sm-q01\n    type: short_text\n    text: {en: \"Why?\", fr: \"Pourquoi ?\"}\n",
        encoding="utf-8")
    problem = find(check_content(content_root), "quizzes/survey-sample.yaml",
                   "question id 'sm-q01' is also used in quizzes/quiz-sample-module.yaml")
    assert problem.line == 5


def test_quiz_id_must_match_file_and_unit(content_root: Path) -> None:
    edit(content_root, QUIZ, "id: quiz-sample-module", "id: quiz-other")
    problems = check_content(content_root)
    find(problems, QUIZ, "id 'quiz-other' must be the file name")
    find(problems, UNIT_YAML, "quiz 'quiz-sample-module' does not exist")
