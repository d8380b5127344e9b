"""Read a form from a page the way a browser would send it: for pages driven without a
browser, so tests post exactly what the page offers and change only what they mean to."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class FormReader(HTMLParser):
    """The fields of the first form posting to ``action``, the options of its radio
    buttons, checkboxes and selects, and the names of its free-text fields."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.options: dict[str, list[str]] = {}
        self.texts: list[str] = []  # free-text fields, in page order
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and not self.done and a.get("action", "").split("?")[0] == self.action:
            self.inside = True
        if not self.inside:
            return
        name = a.get("name", "")
        kind = a.get("type", "text")
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind in ("radio", "checkbox"):
                self.options.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            else:
                self.fields.append((name, a.get("value", "")))
                if kind == "text":
                    self.texts.append(name)
        elif tag == "select" and name:
            self._select, self._select_chosen = name, False
        elif tag == "option" and self._select:
            self.options.setdefault(self._select, []).append(a.get("value", ""))
            if "selected" in a:
                self.fields.append((self._select, a.get("value", "")))
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""
            self.texts.append(name)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self._select:
            # With nothing selected, a browser sends the first option.
            if not self._select_chosen and self.options.get(self._select):
                self.fields.append((self._select, self.options[self._select][0]))
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A browser reads CRLF as LF, and drops the newline that follows <textarea>.
            self.fields.append((self._textarea,
                                self._text.replace("\r\n", "\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True

    def values(self) -> dict[str, Any]:
        """The fields by name: one value, or a list when the name repeats."""
        by_name: dict[str, Any] = {}
        for name, value in self.fields:
            if name in by_name:
                existing = by_name[name]
                by_name[name] = [*existing, value] if isinstance(existing, list) else [
                    existing, value]
            else:
                by_name[name] = value
        return by_name


def read_form(page: str, action: str) -> FormReader:
    """The form posting to ``action`` on ``page`` (HTML); fails when there is none."""
    reader = FormReader(action)
    reader.feed(page)
    assert reader.done, f"no form posting to {action}"
    return reader
