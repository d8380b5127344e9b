"""The content check on every kind of question bank and every question type: fixture banks
that pass, then the same banks broken on purpose, each problem named with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learning.content.checks import check_content
from learning.content.schema import Problem

BANKS = Path(__file__).parent / "fixtures" / "banks"
QUIZ = "quizzes/quiz-sample-module.yaml"
KNOWLEDGE = "quizzes/knowledge-test-sample.yaml"
CONFIDENCE = "quizzes/confidence-sample.yaml"
STYLE = "quizzes/learning-style-sample.yaml"
RATING = "quizzes/rating-sample.yaml"
EVALUATION = "quizzes/evaluation-sample.yaml"
SURVEY = "quizzes/survey-sample.yaml"


@pytest.fixture
def root(content_root: Path) -> Path:
    """The valid course root with one valid bank of every kind beside its unit quiz."""
    for bank in BANKS.glob("*.yaml"):
        shutil.copy(bank, content_root / "quizzes" / bank.name)
    return content_root


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


def test_a_bank_of_every_kind_passes(root: Path) -> None:
    assert check_content(root) == []


# --- kinds and their keys ----------------------------------------------------------------


def test_unknown_kind(root: Path) -> None:
    edit(root, SURVEY, "kind: survey", "kind: poll")
    problem = find(check_content(root), SURVEY, "unknown bank kind 'poll'")
    assert problem.line == line_of(root, SURVEY, "kind: poll")
    assert "knowledge-test" in problem.message


def test_keys_a_kind_requires(root: Path) -> None:
    edit(root, SURVEY, "anonymous: true\n", "")
    edit(root, CONFIDENCE, "areas:", "zones:")
    edit(root, QUIZ, "unit: sample-module\n", "")
    problems = check_content(root)
    find(problems, SURVEY, "missing required key 'anonymous' (a survey bank needs it)")
    find(problems, CONFIDENCE, "missing required key 'areas'")
    assert find(problems, CONFIDENCE, "unknown key 'zones'").line == \
        line_of(root, CONFIDENCE, "zones:")
    find(problems, QUIZ, "missing required key 'unit' (a quiz bank needs it)")


def test_keys_of_another_kind(root: Path) -> None:
    edit(root, SURVEY, "anonymous: true", "anonymous: true\npass_mark: 70")
    edit(root, EVALUATION, "anonymous: true", "anonymous: yes please")
    edit(root, KNOWLEDGE, "time_limit_minutes: 40", "time_limit_minutes: 0")
    problems = check_content(root)
    assert find(problems, SURVEY, "'pass_mark' does not apply to a survey bank").line == \
        line_of(root, SURVEY, "pass_mark")
    find(problems, EVALUATION, "anonymous must be true or false")
    find(problems, KNOWLEDGE, "time_limit_minutes must be a whole number ≥ 1")


def test_bank_description_in_both_languages(root: Path) -> None:
    edit(root, EVALUATION, 'fr: "Votre avis sur la formation."', 'de: "Ihre Meinung"')
    find(check_content(root), EVALUATION, "description has no French text")


# --- knowledge test ------------------------------------------------------------------------


def test_forms_name_questions_of_the_bank(root: Path) -> None:
    edit(root, KNOWLEDGE, "post: [kt-q02,", "post: [kt-q99,")
    problems = check_content(root)
    problem = find(problems, KNOWLEDGE, "form 'post': no question 'kt-q99' in this bank")
    assert problem.line == line_of(root, KNOWLEDGE, "post:")
    find(problems, KNOWLEDGE, "form 'post' has 24 questions; each form needs at least 25")


def test_forms_have_at_least_25_distinct_questions(root: Path) -> None:
    edit(root, KNOWLEDGE, "pre: [kt-q01, kt-q02,", "pre: [kt-q01, kt-q01,")
    problems = check_content(root)
    find(problems, KNOWLEDGE, "form 'pre' lists question 'kt-q01' twice")
    find(problems, KNOWLEDGE, "form 'pre' has 24 questions")


def test_forms_are_matched_by_objective(root: Path) -> None:
    edit(root, KNOWLEDGE, "pre: [kt-q01,", "pre: [kt-q26, kt-q01,")  # both sm-o1
    edit(root, KNOWLEDGE, "post: [kt-q02,", "post: [kt-q01, kt-q02,")
    edit(root, KNOWLEDGE, ", kt-q25, kt-q26]", ", kt-q25, kt-q04]")  # sm-o1 → sm-o2
    problem = find(check_content(root), KNOWLEDGE, "the forms are not matched by objective")
    assert "'sm-o1' has 14 question(s) in pre and 13 in post" in problem.message


def test_forms_need_pre_and_post(root: Path) -> None:
    edit(root, KNOWLEDGE, "  post: [", "  after: [")
    problem = find(check_content(root), KNOWLEDGE, "forms must have a 'pre' and a 'post'")
    assert problem.line == line_of(root, KNOWLEDGE, "forms:")


def test_knowledge_test_items_measure_an_objective_of_any_unit(root: Path) -> None:
    edit(root, KNOWLEDGE, "    objective: sm-o1\n", "")
    edit(root, KNOWLEDGE, "objective: sm-o2", "objective: m9-o1")
    problems = check_content(root)
    find(problems, KNOWLEDGE, "question kt-q01 has no objective")
    assert find(problems, KNOWLEDGE, "question kt-q02: objective 'm9-o1' is not an objective "
                                     "of any unit").line == line_of(root, KNOWLEDGE, "m9-o1")


def test_knowledge_test_items_are_keyed_and_explained(root: Path) -> None:
    edit(root, KNOWLEDGE, "    answer: a\n", "")
    edit(root, KNOWLEDGE, 'explanation: {en: "Wrong.", fr: "Faux."}', 'explanation: {en: "Wrong."}')
    edit(root, KNOWLEDGE, '    explanation: {en: "Why 5.", fr: "Pourquoi 5."}\n', "")
    problems = check_content(root)
    find(problems, KNOWLEDGE, "question kt-q01: answer None is not one of the option ids")
    find(problems, KNOWLEDGE, "question kt-q01 option b explanation has no French text")
    find(problems, KNOWLEDGE, "question kt-q05 explanation must have en and fr text")


def test_knowledge_test_has_only_scored_types(root: Path) -> None:
    edit(root, KNOWLEDGE, "type: true_false", "type: likert")
    problem = find(check_content(root), KNOWLEDGE,
                   "question kt-q05: a knowledge-test bank has no likert questions")
    assert problem.line == line_of(root, KNOWLEDGE, "type: likert")


# --- questionnaires are not scored --------------------------------------------------------


def test_questionnaire_questions_have_no_answer(root: Path) -> None:
    edit(root, SURVEY, "    type: true_false\n", "    type: true_false\n    answer: true\n")
    edit(root, EVALUATION, 'text: {en: "Overall rating"',
         'answer: 7\n    text: {en: "Overall rating"')
    problems = check_content(root)
    assert find(problems, SURVEY, "question sv-q03: a survey bank is not scored, so its "
                                  "questions have no answer").line == \
        line_of(root, SURVEY, "answer: true")
    find(problems, EVALUATION, "question ev-q03: 'answer' is not a key of a rating question")


def test_objective_optional_in_questionnaires_but_must_exist(root: Path) -> None:
    edit(root, RATING, "    type: long_text\n", "    type: long_text\n    objective: sm-o9\n")
    problem = find(check_content(root), RATING, "objective 'sm-o9' is not an objective of any")
    assert problem.line == line_of(root, RATING, "sm-o9")


def test_unknown_question_key(root: Path) -> None:
    edit(root, EVALUATION, "    statements:", "    statments:")
    problems = check_content(root)
    assert find(problems, EVALUATION, "question ev-q02: 'statments' is not a key of a matrix "
                                      "question").line == line_of(root, EVALUATION, "statments:")
    find(problems, EVALUATION, "question ev-q02 needs a list of 2 to 12 statements")


def test_help_and_required(root: Path) -> None:
    edit(root, EVALUATION, 'help: {en: "One answer per line.", fr: "Une réponse par ligne."}',
         'help: "One answer per line."')
    edit(root, RATING, "required: false", "required: maybe")
    problems = check_content(root)
    find(problems, EVALUATION, "question ev-q02 help must have en and fr text")
    find(problems, RATING, "question rt-q02: required must be true or false")


# --- confidence ----------------------------------------------------------------------------


def test_confidence_items_rate_a_known_area(root: Path) -> None:
    edit(root, CONFIDENCE, "    area: maltreatment-effects\n", "")
    edit(root, CONFIDENCE, "area: maltreatment-effects", "area: self-care")
    edit(root, CONFIDENCE, "area: supervision-coaching", "area: maltreatment-effects")
    problems = check_content(root)
    find(problems, CONFIDENCE, "question cf-q01 has no area")
    assert find(problems, CONFIDENCE, "question cf-q02: unknown area 'self-care'").line == \
        line_of(root, CONFIDENCE, "area: self-care")
    find(problems, CONFIDENCE, "no question rates area 'supervision-coaching'")


def test_confidence_areas_need_ids_and_titles(root: Path) -> None:
    edit(root, CONFIDENCE, "  - id: supervision-coaching", "  - id: maltreatment-effects")
    edit(root, CONFIDENCE, 'fr: "Superviser et accompagner"', 'es: "Supervisar"')
    problems = check_content(root)
    find(problems, CONFIDENCE, "area id 'maltreatment-effects' is used twice")
    find(problems, CONFIDENCE, "area maltreatment-effects title has no French text")


def test_confidence_uses_rating_questions_only(root: Path) -> None:
    edit(root, CONFIDENCE, '    type: rating\n    area: maltreatment-effects\n'
         '    text: {en: "I can refer', '    type: short_text\n    text: {en: "I can refer')
    find(check_content(root), CONFIDENCE, "a confidence bank has no short_text questions")


# --- learning style ------------------------------------------------------------------------


def test_learning_style_preferences_are_the_four_with_their_texts(root: Path) -> None:
    edit(root, STYLE, "  theorist:", "  thinker:")
    edit(root, STYLE, 'tips: {en: "Tips for a pragmatist.", fr: "Conseils pour un pragmatist."}',
         'tips: {en: "Tips for a pragmatist."}')
    problems = check_content(root)
    find(problems, STYLE, "preferences: 'theorist' is missing")
    assert find(problems, STYLE, "unknown preference 'thinker'").line == \
        line_of(root, STYLE, "thinker:")
    find(problems, STYLE, "preference pragmatist tips has no French text")


def test_learning_style_items_name_a_known_preference(root: Path) -> None:
    edit(root, STYLE, "    preference: activist\n", "")
    edit(root, STYLE, "preference: reflector", "preference: dreamer")
    problems = check_content(root)
    find(problems, STYLE, "question ls-q01 has no preference")
    assert find(problems, STYLE, "question ls-q02: unknown preference 'dreamer'").line == \
        line_of(root, STYLE, "dreamer")
    find(problems, STYLE, "each preference needs the same number of questions, at least 6 "
                          "(now: activist 5, reflector 5, theorist 6, pragmatist 6)")


def test_preference_belongs_only_to_learning_style_likert(root: Path) -> None:
    edit(root, EVALUATION, "    type: likert\n", "    type: likert\n    preference: activist\n")
    find(check_content(root), EVALUATION, "'preference' is not a key of a likert question in "
                                          "an evaluation bank")


# --- scales --------------------------------------------------------------------------------


def test_likert_has_no_options(root: Path) -> None:
    edit(root, EVALUATION, "    type: likert\n",
         '    type: likert\n    options:\n      - {id: a, text: {en: "Yes", fr: "Oui"}}\n')
    problem = find(check_content(root), EVALUATION, "question ev-q01: a likert question has no "
                                                    "options")
    assert problem.line == line_of(root, EVALUATION, "options:")


@pytest.mark.parametrize(("bounds", "message"), [
    ("min: 5\n    max: 5", "max (5) must be greater than min (5)"),
    ("min: 6\n    max: 2", "max (2) must be greater than min (6)"),
    ("max: 11", "max must be a whole number from 0 to 10"),
    ("min: -1", "min must be a whole number from 0 to 10"),
    ("max: high", "max must be a whole number from 0 to 10"),
])
def test_rating_bounds(root: Path, bounds: str, message: str) -> None:
    edit(root, CONFIDENCE, "    min: 1\n    max: 5", f"    {bounds}")
    find(check_content(root), CONFIDENCE, f"question cf-q03: {message}")


def test_rating_labels_name_both_ends_in_both_languages(root: Path) -> None:
    edit(root, CONFIDENCE, '      max: {en: "Fully confident", fr: "Tout à fait confiant"}\n', "")
    problems = check_content(root)
    find(problems, CONFIDENCE, "question cf-q01: labels must have a min and a max text")
    edit(root, CONFIDENCE, 'min: {en: "Not at all confident", fr: "Pas du tout confiant"}',
         'min: {en: "Not at all confident", fr: "Pas du tout confiant"}\n'
         '      max: {en: "Fully confident"}')
    find(check_content(root), CONFIDENCE, "question cf-q01 max label has no French text")


@pytest.mark.parametrize(("count", "message"), [(1, "needs a list of 2 to 12 statements"),
                                                (13, "needs a list of 2 to 12 statements")])
def test_matrix_statement_count(root: Path, count: int, message: str) -> None:
    statements = "".join(f'      - {{id: s{n}, text: {{en: "S{n}", fr: "S{n}"}}}}\n'
                         for n in range(count))
    edit(root, EVALUATION,
         '      - {id: clear, text: {en: "They were clear.", fr: "Elles étaient claires."}}\n'
         '      - {id: paced, text: {en: "The pace was right.", fr: "Le rythme était bon."}}\n',
         statements)
    problem = find(check_content(root), EVALUATION, f"question ev-q02 {message}")
    assert problem.line == line_of(root, EVALUATION, "statements:")


def test_matrix_statements_have_unique_ids_and_both_texts(root: Path) -> None:
    edit(root, EVALUATION, "{id: paced,", "{id: clear,")
    edit(root, EVALUATION, 'fr: "Elles étaient claires."', 'fr: ""')
    edit(root, EVALUATION, "statements:\n", 'statements:\n      - {id: Bad_Id, text: {en: "B", '
                                            'fr: "B"}}\n')
    problems = check_content(root)
    assert find(problems, EVALUATION, "question ev-q02: statement id 'clear' is used "
                                      "twice").line == line_of(root, EVALUATION, "Le rythme")
    find(problems, EVALUATION, "question ev-q02 statement clear has no French text")
    find(problems, EVALUATION, "question ev-q02 statement id 'Bad_Id' must be lower-case")


def test_ranking_option_count(root: Path) -> None:
    edit(root, EVALUATION, '      - {id: m3, text: {en: "Module 3", fr: "Module 3"}}\n', "")
    problem = find(check_content(root), EVALUATION, "question ev-q04 needs a list of 3 to 10 "
                                                    "options")
    assert problem.line == line_of(root, EVALUATION, "options:")


def test_ranking_of_more_than_ten_options(root: Path) -> None:
    options = "".join(f'      - {{id: o{n}, text: {{en: "O{n}", fr: "O{n}"}}}}\n'
                      for n in range(9))  # 2 kept + 9 = 11
    edit(root, EVALUATION, '      - {id: m3, text: {en: "Module 3", fr: "Module 3"}}\n', options)
    find(check_content(root), EVALUATION, "question ev-q04 needs a list of 3 to 10 options")


@pytest.mark.parametrize("rank", ["0", "5", "two"])
def test_ranking_rank_is_between_one_and_the_options(root: Path, rank: str) -> None:
    edit(root, SURVEY, "rank: 2", f"rank: {rank}")
    problem = find(check_content(root), SURVEY, "question sv-q01: rank (how many options to "
                                                "rank) must be a whole number from 1 to 4")
    assert problem.line == line_of(root, SURVEY, "rank:")


def test_ranking_options_complete_in_both_languages(root: Path) -> None:
    edit(root, SURVEY, '{id: ecomap, text: {en: "Ecomap", fr: "Écocarte"}}',
         '{id: ecomap, text: {en: "Ecomap"}, explanation: {en: "x", fr: "x"}}')
    edit(root, SURVEY, "{id: genogram,", "{id: checklist,")
    problems = check_content(root)
    find(problems, SURVEY, "question sv-q01 option ecomap has no French text")
    find(problems, SURVEY, "question sv-q01: option ecomap has an unknown key 'explanation'")
    find(problems, SURVEY, "question sv-q01: option id 'checklist' is used twice")


def test_text_max_length(root: Path) -> None:
    edit(root, SURVEY, "max_length: 2000", "max_length: 0")
    problem = find(check_content(root), SURVEY, "question sv-q04: max_length must be a whole "
                                                "number ≥ 1")
    assert problem.line == line_of(root, SURVEY, "max_length")


def test_choice_options_of_a_questionnaire_need_no_explanation_but_both_texts(
        root: Path) -> None:
    edit(root, SURVEY, 'fr: "Documents"', 'fr: " "')
    edit(root, SURVEY, "{id: slides,", "{id: Slides,")
    problems = check_content(root)
    find(problems, SURVEY, "question sv-q02 option handouts has no French text")
    find(problems, SURVEY, "question sv-q02: option id 'Slides' must be lower-case")
    assert not [p for p in problems if "explanation" in p.message]


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    (SURVEY, "kind: survey", "kind: [survey]", "unknown bank kind"),
    (RATING, "unit: sample-module", "unit: [sample-module]", "unknown unit"),
    (EVALUATION, "type: likert", "type: [likert]", "unknown type"),
    (KNOWLEDGE, "objective: sm-o2", "objective: [sm-o2]", "objective must be an objective id"),
    (CONFIDENCE, "area: supervision-coaching", "area: [supervision-coaching]", "unknown area"),
    (STYLE, "preference: theorist", "preference: {theorist: 1}", "unknown preference"),
    (KNOWLEDGE, "pre: [kt-q01,", "pre: [[kt-q01],", "no question '['kt-q01']'"),
])
def test_values_of_the_wrong_shape_are_reported(root: Path, file: str, old: str, new: str,
                                                message: str) -> None:
    edit(root, file, old, new)
    find(check_content(root), file, message)
