"""Question templates: usable by keyboard and screen reader without JavaScript (a fieldset
and legend per question, a label on every input), posting exactly what ``parse`` reads."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from html.parser import HTMLParser
from types import MappingProxyType
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import MultiDict

from learning.assessments.types import (
    AGREEMENT_SCALE,
    agreement_labels,
    answer_key_feedback,
    question_type,
)
from learning.assessments.types.text import LONG_TEXT_MAX_LENGTH, SHORT_TEXT_MAX_LENGTH
from learning.config import PROJECT_ROOT
from learning.content.loader import load_catalogue
from learning.content.schema import Question, Text

Lookup = Callable[[str], Question]
Render = Callable[..., str]
CONTROLS = ("input", "select", "textarea")
ALL_QUESTIONS = ["qt-single", "qt-multiple", "qt-multiple-three", "qt-true-false",
                 "qt-survey-choice", "qt-likert", "qt-rating", "qt-rating-narrow", "qt-matrix",
                 "qt-ranking", "qt-ranking-all", "qt-short", "qt-long"]


class Page(HTMLParser):
    """The elements of a rendered fragment, the text inside each, and what a browser would
    post from it."""

    COLLECTS = frozenset({"label", "legend", "textarea", "option", "th", "p", "fieldset"})

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: dict[int, str] = {}
        self.options: list[tuple[int, str, bool]] = []  # (select index, value, selected)
        self._open: list[int] = []
        self._select: int | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        index = len(self.elements) - 1
        if tag in self.COLLECTS:
            self._open.append(index)
            self.texts[index] = ""
        if tag == "select":
            self._select = index
        if tag == "option" and self._select is not None:
            attributes = dict(attrs)
            self.options.append((self._select, attributes.get("value") or "",
                                 "selected" in attributes))

    def handle_endtag(self, tag: str) -> None:
        for position in range(len(self._open) - 1, -1, -1):
            if self.elements[self._open[position]][0] == tag:
                del self._open[position]
                break

    def handle_data(self, data: str) -> None:
        for index in self._open:
            self.texts[index] += data

    def find(self, tag: str, **wanted: str) -> list[tuple[int, dict[str, str | None]]]:
        return [(index, attrs) for index, (name, attrs) in enumerate(self.elements)
                if name == tag and all(attrs.get(k) == v for k, v in wanted.items())]

    def text(self, index: int) -> str:
        return " ".join(self.texts[index].split())

    def label_for(self, element_id: str | None) -> str:
        labels = self.find("label", **{"for": element_id or ""})
        assert len(labels) == 1, f"{len(labels)} labels for {element_id}"
        return self.text(labels[0][0])

    def controls(self) -> list[tuple[int, dict[str, str | None]]]:
        return [(index, attrs) for index, (name, attrs) in enumerate(self.elements)
                if name in CONTROLS]

    def posted(self) -> MultiDict[str, str]:
        pairs: list[tuple[str, str]] = []
        for index, attrs in self.controls():
            tag, name = self.elements[index][0], attrs.get("name") or ""
            if "disabled" in attrs:
                continue
            if tag == "textarea":
                pairs.append((name, self.texts[index]))
            elif tag == "select":
                options = [(value, chosen) for select, value, chosen in self.options
                           if select == index]
                pairs.append((name, next((v for v, chosen in options if chosen),
                                         options[0][0])))
            elif attrs.get("type") in ("radio", "checkbox"):
                if "checked" in attrs:
                    pairs.append((name, attrs.get("value") or ""))
            else:
                pairs.append((name, attrs.get("value") or ""))
        return MultiDict(pairs)


def assert_accessible(page: Page, legend: str) -> None:
    fieldsets = page.find("fieldset")
    assert len(fieldsets) == 1
    legends = page.find("legend")
    assert len(legends) == 1 and page.text(legends[0][0]) == legend
    assert fieldsets[0][0] < legends[0][0]
    ids = [attrs["id"] for _, (_, attrs) in enumerate(page.elements) if attrs.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    assert page.controls(), "no input"
    for _, attrs in page.controls():
        assert attrs.get("id") and attrs.get("name")
        assert page.label_for(attrs["id"]), f"empty label for {attrs['id']}"
    for tag, attrs in page.elements:
        assert tag not in ("script", "style")
        assert not [name for name in attrs if name.startswith("on") or name == "style"]
        for reference in (attrs.get("aria-describedby") or "").split():
            assert reference in ids, f"aria-describedby points to missing {reference}"


@pytest.mark.parametrize("question_id", ALL_QUESTIONS)
def test_every_type_renders_a_labelled_group(question: Lookup, render: Render,
                                             question_id: str) -> None:
    item = question(question_id)
    assert_accessible(Page(render(item)), item.text.en)
    assert_accessible(Page(render(item, language="fr")), item.text.fr)


SAVED_VALUES = [
    ("qt-single", "b"),
    ("qt-multiple", ["a", "c"]),
    ("qt-true-false", False),
    ("qt-true-false", True),
    ("qt-likert", "somewhat_agree"),
    ("qt-rating", 0),
    ("qt-rating", 7),
    ("qt-rating-narrow", 5),
    ("qt-matrix", {"clear": "strongly_agree", "paced": "somewhat_disagree"}),
    ("qt-ranking", ["genogram", "checklist"]),
    ("qt-ranking-all", ["m2", "m3", "m1"]),
    ("qt-short", "hopeful"),
    ("qt-long", "line one\nline two"),
]


@pytest.mark.parametrize(("question_id", "value"), SAVED_VALUES)
def test_saved_value_is_shown_and_posted_back_unchanged(question: Lookup, render: Render,
                                                        question_id: str, value: Any) -> None:
    item = question(question_id)
    posted = Page(render(item, value)).posted()
    assert question_type(item.type).parse(item, posted, f"q-{item.id}") == value


@pytest.mark.parametrize("question_id", ALL_QUESTIONS)
def test_unanswered_question_posts_no_answer(question: Lookup, render: Render,
                                             question_id: str) -> None:
    item = question(question_id)
    posted = Page(render(item)).posted()
    assert question_type(item.type).parse(item, posted, f"q-{item.id}") is None


def test_matrix_is_a_table_with_a_labelled_radio_group_per_statement(
        app: Flask, question: Lookup, render: Render) -> None:
    matrix = question("qt-matrix")
    page = Page(render(matrix))
    with app.test_request_context("/"):
        labels = [str(label) for label in agreement_labels().values()]
    columns = [page.text(index) for index, _ in page.find("th", scope="col")]
    assert columns == labels
    rows = [page.text(index) for index, _ in page.find("th", scope="row")]
    statements = [statement["text"]["en"] for statement in matrix.raw["statements"]]
    assert rows == statements
    for statement_id, statement in zip(("clear", "useful", "paced"), statements, strict=True):
        radios = page.find("input", type="radio", name=f"q-qt-matrix.{statement_id}")
        assert [attrs["value"] for _, attrs in radios] == list(AGREEMENT_SCALE)
        for (_, attrs), label in zip(radios, labels, strict=True):
            assert page.label_for(attrs["id"]) == f"{statement} — {label}"
    hidden = page.find("label", **{"class": "visually-hidden"})
    assert len(hidden) == 12


def test_likert_offers_the_agreement_scale(app: Flask, question: Lookup,
                                           render: Render) -> None:
    page = Page(render(question("qt-likert")))
    radios = page.find("input", type="radio")
    assert [attrs["value"] for _, attrs in radios] == list(AGREEMENT_SCALE)
    with app.test_request_context("/"):
        labels = [str(label) for label in agreement_labels().values()]
    assert [page.label_for(attrs["id"]) for _, attrs in radios] == labels


def test_rating_is_a_radio_per_number_with_the_end_labels(question: Lookup,
                                                          render: Render) -> None:
    page = Page(render(question("qt-rating")))
    radios = page.find("input", type="radio")
    assert [attrs["value"] for _, attrs in radios] == [str(n) for n in range(11)]
    labels = [page.label_for(attrs["id"]) for _, attrs in radios]
    assert labels[0] == "0 Not useful at all"
    assert labels[10] == "10 Extremely useful"
    assert labels[1:10] == [str(n) for n in range(1, 10)]
    narrow = Page(render(question("qt-rating-narrow")))
    assert [attrs["value"] for _, attrs in narrow.find("input")] == ["1", "2", "3", "4", "5"]


def test_ranking_is_a_labelled_select_per_option(question: Lookup, render: Render) -> None:
    ranking = question("qt-ranking")  # rank 2 of 4
    page = Page(render(ranking))
    selects = page.find("select")
    assert [page.label_for(attrs["id"]) for _, attrs in selects] == \
        ["Checklist", "Genogram", "Ecomap", "Timeline"]
    first = selects[0][0]
    assert [value for select, value, _ in page.options if select == first] == ["", "1", "2"]
    fieldset = page.find("fieldset")[0][1]
    hint = page.text(page.find("p", id=fieldset["aria-describedby"])[0][0])
    assert hint.startswith("Choose your top 2:")
    every = Page(render(question("qt-ranking-all")))
    hint = every.text(every.find("p", id="q-qt-ranking-all-hint")[0][0])
    assert hint == "Give each option a different position, from 1 (first) to 3."


def test_text_inputs_carry_the_length_limit(question: Lookup, render: Render) -> None:
    short = question("qt-short")
    assert Page(render(short)).find("input", type="text")[0][1]["maxlength"] == "20"
    default = dataclasses.replace(short, raw=MappingProxyType(
        {key: value for key, value in short.raw.items() if key != "max_length"}))
    assert Page(render(default)).find("input")[0][1]["maxlength"] == str(SHORT_TEXT_MAX_LENGTH)
    textarea = Page(render(question("qt-long"))).find("textarea")[0][1]
    assert textarea["maxlength"] == str(LONG_TEXT_MAX_LENGTH)


def test_help_and_hints_are_announced_with_the_group(question: Lookup, render: Render) -> None:
    page = Page(render(question("qt-single")))
    fieldset = page.find("fieldset")[0][1]
    assert fieldset["aria-describedby"] == "q-qt-single-help"
    assert page.text(page.find("p", id="q-qt-single-help")[0][0]) == \
        "Think of the three functions."
    multiple = Page(render(question("qt-multiple")))
    assert multiple.find("fieldset")[0][1]["aria-describedby"] == "q-qt-multiple-hint"
    assert multiple.text(multiple.find("p", id="q-qt-multiple-hint")[0][0]) == \
        "Select all that apply."


def feedback_page(render: Render, item: Question, value: Any) -> Page:
    return Page(render(item, value, show_feedback=True, feedback=answer_key_feedback(item)))


def test_single_choice_feedback_marks_the_answer_and_the_key(question: Lookup,
                                                             render: Render) -> None:
    page = feedback_page(render, question("qt-single"), "a")
    assert page.label_for("q-qt-single-a") == "Administrative — Your answer: incorrect"
    assert page.label_for("q-qt-single-b") == "Educational — Correct answer"
    assert page.label_for("q-qt-single-c") == "Supportive"
    for option in ("a", "b", "c"):
        radio = page.find("input", id=f"q-qt-single-{option}")[0][1]
        assert "disabled" in radio
        explanation = page.find("p", id=radio["aria-describedby"])[0][0]
        assert page.text(explanation)
    assert page.text(page.find("p", id="q-qt-single-b-explanation")[0][0]) == \
        "Right: learning."
    assert page.posted() == MultiDict()


def test_multiple_choice_feedback(question: Lookup, render: Render) -> None:
    page = feedback_page(render, question("qt-multiple"), ["a", "b"])
    assert [page.label_for(f"q-qt-multiple-{option}") for option in "abc"] == [
        "Book a slot — Your answer: correct",
        "Be better — Your answer: incorrect",
        "Review notes — Correct answer",
    ]


def test_true_false_feedback_shows_the_explanation(question: Lookup, render: Render) -> None:
    item = question("qt-true-false")  # keyed false
    page = feedback_page(render, item, True)
    assert page.label_for("q-qt-true-false-true") == "True — Your answer: incorrect"
    assert page.label_for("q-qt-true-false-false") == "False — Correct answer"
    assert "There are two more functions." in [page.text(i) for i, _ in page.find("p")]
    before = Page(render(item, True))
    assert "There are two more functions." not in [before.text(i) for i, _ in before.find("p")]
    assert before.label_for("q-qt-true-false-true") == "True"


def test_no_feedback_or_explanations_while_answering(question: Lookup, render: Render) -> None:
    html = render(question("qt-single"), "a")
    assert "Right: learning." not in html and "Correct answer" not in html
    assert "disabled" not in html


def test_bank_text_is_escaped(question: Lookup, render: Render) -> None:
    item = dataclasses.replace(question("qt-likert"), text=Text(
        en='<script>alert("x")</script>', fr="<b>gras</b>"))
    html = render(item)
    assert "<script>" not in html and re.search(r"&lt;script&gt;", html)
    assert_accessible(Page(html), '<script>alert("x")</script>')


def test_every_question_of_the_course_renders_as_a_labelled_group(render: Render) -> None:
    catalogue = load_catalogue(PROJECT_ROOT)
    questions = [item for bank in catalogue.quizzes.values() for item in bank.questions]
    assert questions
    for item in questions:
        for language in ("en", "fr"):
            page = Page(render(item, language=language))
            assert_accessible(page, item.text[language])
            assert question_type(item.type).parse(item, page.posted(), f"q-{item.id}") is None
