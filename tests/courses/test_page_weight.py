"""Section pages stay light for slow phone connections and work with JavaScript off."""

from __future__ import annotations

import gzip
import random
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.content.schema import Section
from learning.courses import services
from learning.courses.catalogue import get_catalogue
from learning.courses.models import ReflectionAnswer, SectionProgress
from learning.db import db

BUDGET_BYTES = 40 * 1024
ANSWER_CHARS = 1500  # a long, careful answer; most are a few sentences


@dataclass
class Form:
    attrs: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    controls: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    submit_buttons: int = 0


class PageParser(HTMLParser):
    """Collects what a browser without JavaScript can use: forms, controls, labels, assets."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.outside_forms: list[tuple[str, dict[str, str]]] = []
        self.labelled: set[str] = set()
        self.assets: list[str] = []
        self.script_dependent: list[str] = []
        self._form: Form | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {name: value or "" for name, value in attr_list}
        href = attrs.get("href", "")
        if (any(name.startswith("on") for name in attrs) or href == "#"
                or href.lower().startswith("javascript:") or tag in ("template", "dialog")
                or (tag == "button" and attrs.get("type") == "button")):
            self.script_dependent.append(f"<{tag} {attrs}>")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.assets.append(attrs["href"])
        if tag == "script":
            if "src" not in attrs:
                self.script_dependent.append("inline <script>")
            else:
                self.assets.append(attrs["src"])
        if tag == "label" and "for" in attrs:
            self.labelled.add(attrs["for"])
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select", "button"):
            self._control(tag, attrs)

    def _control(self, tag: str, attrs: dict[str, str]) -> None:
        kind = attrs.get("type", "submit" if tag == "button" else "text")
        if self._form is None:
            self.outside_forms.append((tag, attrs))
            return
        if kind == "submit" and tag in ("button", "input"):
            self._form.submit_buttons += 1
            return
        if kind != "hidden":
            self._form.controls.append((tag, attrs))
        if "name" in attrs:
            self._form.fields[attrs["name"]] = attrs.get("value", "")
        if tag == "textarea":
            self._textarea = attrs.get("name", "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._form is not None:
            self._form.fields[self._textarea] = self._form.fields[self._textarea] + data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser


def sections_with_reflections(app: Flask) -> list[Section]:
    with app.app_context():
        return [section for section in get_catalogue().all_sections()
                if section.reflections and not section.facilitator_only]


def answer_everything(app: Flask, user: User, sections: list[Section]) -> None:
    """Long answers made of the course's own words, so they compress like real prose."""
    words = re.findall(r"[^\W\d_]+", " ".join(s.html.en for s in sections))
    chooser = random.Random(3)
    with app.app_context():
        person = db.session.get(User, user.id)
        for section in sections:
            for reflection in section.reflections:
                text = ""
                while len(text) < ANSWER_CHARS:
                    text += " ".join(chooser.choices(words, k=12)).capitalize() + ". "
                services.save_reflection(person, section, reflection, text, None)
        db.session.commit()


def test_section_pages_with_long_answers_weigh_under_40_kb(app, client, login, make_user):
    user = make_user(Role.PARTICIPANT)
    login(user)
    sections = sections_with_reflections(app)
    assert len(sections) >= 10
    answer_everything(app, user, sections)
    asset_weight: dict[str, int] = {}
    heaviest = (0, "")
    for section in sections:
        response = client.get(f"/learn/sections/{section.id}")
        assert response.status_code == 200
        page = parse(response.get_data(as_text=True))
        assert any(url.endswith("/autosave.js") for url in page.assets)
        for url in page.assets:
            if url not in asset_weight:
                asset = client.get(url)
                assert asset.status_code == 200, url
                asset_weight[url] = len(gzip.compress(asset.data, 9))
                asset.close()
        total = len(gzip.compress(response.data, 9)) + sum(asset_weight[u] for u in page.assets)
        heaviest = max(heaviest, (total, section.id))
    total, section_id = heaviest
    assert total < BUDGET_BYTES, f"{section_id}: {total} bytes gzip with its CSS and JS"


@pytest.mark.parametrize("section_id", ["pc1-reflection-own-practice", "m1-timeline-exercise"])
def test_every_control_on_a_section_page_works_without_javascript(app, client, login, make_user,
                                                                   section_id):
    user = make_user(Role.PARTICIPANT)
    login(user)
    page = parse(client.get(f"/learn/sections/{section_id}").get_data(as_text=True))

    assert page.script_dependent == []
    assert page.outside_forms == []
    for form in page.forms:
        controls = [attrs.get("id", "") for _tag, attrs in form.controls]
        if "hidden" in form.attrs:
            # The only hidden form is the "opened" event the script sends; it holds nothing
            # the person fills in, so without JavaScript nothing is missing.
            assert "data-opened" in form.attrs and controls == []
            continue
        assert form.submit_buttons >= 1, f"form {form.attrs} has no submit button"
        assert all(control in page.labelled for control in controls), controls

    # Submit every reader form exactly as a browser without JavaScript would.
    reflection_forms = [f for f in page.forms if "/learn/reflections/" in f.attrs["action"]]
    assert reflection_forms
    for number, form in enumerate(reflection_forms):
        data = {**form.fields, "text": f"Answer number {number}, saved with a plain button."}
        response = client.post(form.attrs["action"], data=data)
        assert response.status_code == 302
        page_after = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Your reflection is saved." in page_after
        # Submitting the same page twice (a double click, a resent form) stores it once.
        assert client.post(form.attrs["action"], data=data).status_code == 302

    done_form = next(f for f in page.forms if f.fields.get("event") == "completed")
    response = client.post(done_form.attrs["action"], data=done_form.fields)
    assert response.status_code == 302
    assert "Section marked as done." in client.get(response.headers["Location"]).get_data(
        as_text=True)

    with app.app_context():
        answers = db.session.scalars(select(ReflectionAnswer).where(
            ReflectionAnswer.user_id == user.id).order_by(ReflectionAnswer.id)).all()
        assert [(a.text, a.revision) for a in answers] == [
            (f"Answer number {n}, saved with a plain button.", 1)
            for n in range(len(reflection_forms))]
        row = db.session.scalar(select(SectionProgress).where(
            SectionProgress.user_id == user.id, SectionProgress.section_id == section_id))
        assert row is not None and row.completed_at is not None
