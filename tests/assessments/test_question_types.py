"""Question types as pure functions: parse a posted form, validate a JSON value, score."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from learning.assessments.types import (
    REGISTRY,
    AnswerError,
    answer_key_feedback,
    question_type,
)
from learning.content.schema import QUESTION_TYPES, Question

Lookup = Callable[[str], Question]
FIELD = "q"


def parse(question: Question, *pairs: tuple[str, str]) -> Any:
    return question_type(question.type).parse(question, MultiDict(list(pairs)), FIELD)


def validate(question: Question, value: Any) -> Any:
    return question_type(question.type).validate(question, value)


def score(question: Question, value: Any) -> float | None:
    return question_type(question.type).score(question, value)


def refused(call: Callable[[], Any]) -> str:
    with pytest.raises(AnswerError) as error:
        call()
    return error.value.code


def test_every_type_of_the_bank_format_is_registered() -> None:
    assert set(REGISTRY) == QUESTION_TYPES
    assert {name for name, kind in REGISTRY.items() if kind.scored} == {
        "single_choice", "multiple_choice", "true_false"}


# --- single choice -------------------------------------------------------------------------


def test_single_choice_parse(question: Lookup) -> None:
    single = question("qt-single")
    assert parse(single, (FIELD, "b")) == "b"
    assert parse(single, (FIELD, "")) is None
    assert parse(single) is None
    assert parse(single, ("other-question", "a")) is None


@pytest.mark.parametrize(("pairs", "code"), [
    (((FIELD, "z"),), "unknown_option"),
    (((FIELD, "checklist"),), "unknown_option"),  # an option id of another question
    (((FIELD, "a"), (FIELD, "b")), "invalid_value"),  # two radios of one group
])
def test_single_choice_tampered(question: Lookup, pairs: tuple[tuple[str, str], ...],
                                code: str) -> None:
    assert refused(lambda: parse(question("qt-single"), *pairs)) == code


def test_single_choice_validate_and_score(question: Lookup) -> None:
    single = question("qt-single")
    assert validate(single, "a") == "a"
    assert refused(lambda: validate(single, 2)) == "unknown_option"
    assert (score(single, "b"), score(single, "a"), score(single, None)) == (1.0, 0.0, 0.0)


def test_choice_without_answer_key_is_not_scored(question: Lookup) -> None:
    survey_choice = question("qt-survey-choice")
    assert validate(survey_choice, "b") == "b"
    assert score(survey_choice, "b") is None
    assert answer_key_feedback(survey_choice) is None


# --- multiple choice -----------------------------------------------------------------------


def test_multiple_choice_parse_keeps_option_order(question: Lookup) -> None:
    multiple = question("qt-multiple")
    assert parse(multiple, (FIELD, "c"), (FIELD, "a")) == ["a", "c"]
    assert parse(multiple) is None
    assert validate(multiple, []) is None
    assert validate(multiple, ["c"]) == ["c"]


@pytest.mark.parametrize(("value", "code"), [
    (["a", "a"], "duplicate_option"),
    (["a", "genogram"], "unknown_option"),
    ("a", "invalid_value"),
    ([1], "invalid_value"),
])
def test_multiple_choice_tampered(question: Lookup, value: Any, code: str) -> None:
    assert refused(lambda: validate(question("qt-multiple"), value)) == code


def test_multiple_choice_form_with_a_repeated_option_is_refused(question: Lookup) -> None:
    assert refused(lambda: parse(question("qt-multiple"), (FIELD, "a"), (FIELD, "a"))) == \
        "duplicate_option"


@pytest.mark.parametrize(("chosen", "points"), [
    (["a", "c"], 1.0),  # both keyed options
    (["a"], 0.5),  # one of two
    (["a", "b"], 0.0),  # one right, one wrong
    (["a", "b", "c"], 0.5),  # both right, one wrong
    (["b"], 0.0),  # floored at 0, not −0.5
    (None, 0.0),
])
def test_multiple_choice_partial_credit_with_two_keyed(question: Lookup, chosen: Any,
                                                       points: float) -> None:
    assert score(question("qt-multiple"), chosen) == pytest.approx(points)


@pytest.mark.parametrize(("chosen", "points"), [
    (["a", "b", "c"], 1.0),
    (["a"], 1 / 3),
    (["a", "d"], 0.0),  # one right of three plus one wrong
    (["a", "b", "d"], 1 / 3),
    (["a", "b", "c", "d", "e"], 1 / 3),  # ticking everything is not full marks
])
def test_multiple_choice_partial_credit_with_three_keyed(question: Lookup, chosen: Any,
                                                         points: float) -> None:
    assert score(question("qt-multiple-three"), chosen) == pytest.approx(points)


# --- true / false --------------------------------------------------------------------------


def test_true_false(question: Lookup) -> None:
    statement = question("qt-true-false")  # keyed false
    assert parse(statement, (FIELD, "true")) is True
    assert parse(statement, (FIELD, "false")) is False
    assert parse(statement) is None
    assert validate(statement, False) is False
    assert validate(statement, "true") is True
    assert refused(lambda: parse(statement, (FIELD, "yes"))) == "invalid_value"
    assert refused(lambda: validate(statement, 1)) == "invalid_value"
    assert (score(statement, False), score(statement, True), score(statement, None)) == \
        (1.0, 0.0, 0.0)


def test_answer_key_feedback_names_the_keyed_inputs(question: Lookup) -> None:
    assert answer_key_feedback(question("qt-true-false")) == {"true": False, "false": True}
    assert answer_key_feedback(question("qt-single")) == {"a": False, "b": True, "c": False}
    assert answer_key_feedback(question("qt-multiple")) == {"a": True, "b": False, "c": True}
    assert answer_key_feedback(question("qt-likert")) is None


# --- likert and rating ---------------------------------------------------------------------


def test_likert(question: Lookup) -> None:
    likert = question("qt-likert")
    assert parse(likert, (FIELD, "somewhat_agree")) == "somewhat_agree"
    assert validate(likert, "strongly_disagree") == "strongly_disagree"
    assert parse(likert, (FIELD, "")) is None
    assert refused(lambda: parse(likert, (FIELD, "agree"))) == "out_of_range"
    assert refused(lambda: validate(likert, 3)) == "out_of_range"
    assert score(likert, "strongly_agree") is None


def test_rating_reads_whole_numbers_in_range(question: Lookup) -> None:
    rating = question("qt-rating")  # 0–10 by default
    assert parse(rating, (FIELD, "0")) == 0
    assert parse(rating, (FIELD, "10")) == 10
    assert parse(rating, (FIELD, "")) is None
    assert validate(rating, 7) == 7
    assert validate(rating, "7") == 7
    assert score(rating, 7) is None


@pytest.mark.parametrize(("question_id", "value", "code"), [
    ("qt-rating", "11", "out_of_range"),
    ("qt-rating", "-1", "out_of_range"),
    ("qt-rating", "7.5", "invalid_value"),
    ("qt-rating", "seven", "invalid_value"),
    ("qt-rating", "9" * 5000, "invalid_value"),
    ("qt-rating-narrow", "0", "out_of_range"),  # min: 1
    ("qt-rating-narrow", "6", "out_of_range"),  # max: 5
])
def test_rating_tampered_form(question: Lookup, question_id: str, value: str,
                              code: str) -> None:
    assert refused(lambda: parse(question(question_id), (FIELD, value))) == code


@pytest.mark.parametrize("value", [True, 7.0, [7]])
def test_rating_tampered_json(question: Lookup, value: Any) -> None:
    assert refused(lambda: validate(question("qt-rating"), value)) == "invalid_value"


# --- matrix --------------------------------------------------------------------------------


def test_matrix_parse_reads_one_radio_group_per_statement(question: Lookup) -> None:
    matrix = question("qt-matrix")
    value = parse(matrix, ("q.paced", "somewhat_disagree"), ("q.clear", "strongly_agree"),
                  ("q.useful", ""), ("qx.clear", "strongly_disagree"))
    assert value == {"clear": "strongly_agree", "paced": "somewhat_disagree"}
    assert list(value) == ["clear", "paced"]  # statement order
    assert parse(matrix) is None
    assert validate(matrix, {"useful": "somewhat_agree"}) == {"useful": "somewhat_agree"}
    assert validate(matrix, {}) is None
    assert score(matrix, value) is None


@pytest.mark.parametrize(("value", "code"), [
    ({"other": "somewhat_agree"}, "unknown_statement"),
    ({"clear": "agree"}, "out_of_range"),
    (["clear"], "invalid_value"),
])
def test_matrix_tampered_json(question: Lookup, value: Any, code: str) -> None:
    assert refused(lambda: validate(question("qt-matrix"), value)) == code


def test_matrix_tampered_form(question: Lookup) -> None:
    matrix = question("qt-matrix")
    assert refused(lambda: parse(matrix, ("q.other", "somewhat_agree"))) == "unknown_statement"
    assert refused(lambda: parse(matrix, ("q.clear", "5"))) == "out_of_range"


# --- ranking -------------------------------------------------------------------------------


def test_ranking_parse_orders_by_position(question: Lookup) -> None:
    top_two = question("qt-ranking")  # rank 2 of 4 options
    assert parse(top_two, ("q.checklist", "2"), ("q.genogram", "1"), ("q.ecomap", ""),
                 ("q.timeline", "")) == ["genogram", "checklist"]
    assert parse(top_two, ("q.checklist", ""), ("q.genogram", "")) is None
    assert validate(top_two, ["ecomap", "timeline"]) == ["ecomap", "timeline"]
    assert score(top_two, ["ecomap", "timeline"]) is None
    every = question("qt-ranking-all")
    assert parse(every, ("q.m1", "3"), ("q.m2", "1"), ("q.m3", "2")) == ["m2", "m3", "m1"]


@pytest.mark.parametrize(("question_id", "pairs", "code"), [
    ("qt-ranking", (("q.checklist", "1"), ("q.genogram", "1")), "duplicate_rank"),
    ("qt-ranking", (("q.checklist", "1"), ("q.genogram", "3")), "out_of_range"),
    ("qt-ranking", (("q.checklist", "1"),), "incomplete_ranking"),
    ("qt-ranking", (("q.checklist", "first"), ("q.genogram", "2")), "invalid_value"),
    ("qt-ranking", (("q.checklist", "1" * 5000), ("q.genogram", "2")), "invalid_value"),
    ("qt-ranking", (("q.checklist", "1"), ("q.m1", "2")), "unknown_option"),
    ("qt-ranking-all", (("q.m1", "1"), ("q.m2", "3"), ("q.m3", "")), "incomplete_ranking"),
    ("qt-ranking-all", (("q.m1", "0"), ("q.m2", "1"), ("q.m3", "2")), "out_of_range"),
])
def test_ranking_tampered_form(question: Lookup, question_id: str,
                               pairs: tuple[tuple[str, str], ...], code: str) -> None:
    assert refused(lambda: parse(question(question_id), *pairs)) == code


@pytest.mark.parametrize(("value", "code"), [
    (["genogram", "genogram"], "duplicate_rank"),
    (["genogram"], "incomplete_ranking"),
    (["genogram", "checklist", "ecomap"], "out_of_range"),
    (["genogram", "m1"], "unknown_option"),
    ({"genogram": 1}, "invalid_value"),
])
def test_ranking_tampered_json(question: Lookup, value: Any, code: str) -> None:
    assert refused(lambda: validate(question("qt-ranking"), value)) == code


# --- text ----------------------------------------------------------------------------------


def test_short_text(question: Lookup) -> None:
    short = question("qt-short")  # max_length 20
    assert parse(short, (FIELD, "  hopeful  ")) == "hopeful"
    assert parse(short, (FIELD, "   ")) is None
    assert validate(short, "x" * 20) == "x" * 20
    assert refused(lambda: validate(short, "x" * 21)) == "too_long"
    assert refused(lambda: parse(short, (FIELD, "a\x00b"))) == "nul_character"
    assert refused(lambda: validate(short, 5)) == "invalid_value"
    assert score(short, "hopeful") is None


def test_long_text_counts_a_line_break_as_one_character(question: Lookup) -> None:
    long = question("qt-long")  # default max_length 5000
    posted = "a" * 2000 + "\r\n" + "b" * 2999  # 5000 characters as the textarea counts them
    assert parse(long, (FIELD, posted)) == "a" * 2000 + "\n" + "b" * 2999
    assert refused(lambda: validate(long, "c" * 5001)) == "too_long"
