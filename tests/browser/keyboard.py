"""Driving a page with the keyboard alone, as a person without a mouse does: Tab and
Shift+Tab to move, typing, Enter and Space to act, arrow keys in a radio group or a select.
No element is clicked, filled or focused by script; the script only reads what has focus."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from learning.accounts.models import User
from tests.conftest import PASSWORD

MAX_TABS = 120

Focus = dict[str, object]


def focused(page) -> Focus:  # type: ignore[no-untyped-def]
    """What has the keyboard focus: tag, name, id, type, text or value, href, checked, and
    the id of its form (so that two forms with the same fields can be told apart)."""
    return page.evaluate("""() => {
        const e = document.activeElement;
        return {tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '',
                text: (e.innerText || e.value || '').trim(), href: e.getAttribute('href') || '',
                type: e.getAttribute('type') || '', id: e.id || '', value: e.value ?? '',
                checked: !!e.checked, form: (e.form && e.form.id) || ''};
    }""")


def tab_to(page, matches: Callable[[Focus], bool],  # type: ignore[no-untyped-def]
           backwards: bool = False) -> Focus:
    """Press Tab (or Shift+Tab) until the focused element matches; fail if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        found = focused(page)
        if matches(found):
            return found
    pytest.fail(f"not reachable with the keyboard; {MAX_TABS} Tabs ended on {focused(page)}")


def tab_to_id(page, element_id: str, backwards: bool = False) -> Focus:  # type: ignore[no-untyped-def]
    return tab_to(page, lambda e: e["id"] == element_id, backwards)


def tab_to_button(page, text: str, backwards: bool = False) -> Focus:  # type: ignore[no-untyped-def]
    """A button (or a submit input) by the words on it."""
    return tab_to(page, lambda e: (e["tag"] == "button" or e["type"] == "submit")
                  and e["text"] == text, backwards)


def type_into(page, element_id: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a field and type."""
    tab_to_id(page, element_id)
    page.keyboard.type(text)


def pick(page, value: str) -> None:  # type: ignore[no-untyped-def]
    """In the focused select or radio group, move to ``value`` with the keys: Home first in
    a select, Space on a radio group entered on the wanted (unchecked) button, then
    ArrowDown until the value is chosen."""
    start = focused(page)
    if start["tag"] == "select":
        page.keyboard.press("Home")
    elif start["type"] == "radio" and start["value"] == value and not start["checked"]:
        page.keyboard.press("Space")  # the group was entered on the wanted, unchecked, radio
    for _ in range(MAX_TABS):
        now = focused(page)
        if now["value"] == value and (now["tag"] == "select" or now["checked"]):
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"{value!r} cannot be chosen with the arrow keys")


def choose(page, element_id: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Tab to a select and choose the option with ``value`` with the arrow keys."""
    tab_to_id(page, element_id)
    pick(page, value)


def skip_to_content(page) -> None:  # type: ignore[no-untyped-def]
    """On a page just loaded: the skip link is the first stop, and Enter on it takes the
    next Tab past the navigation, into the page's content."""
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#main", "the first stop is not the skip link"
    page.keyboard.press("Enter")


def press_on(page, key: str = "Enter", skip: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Press a key on the focused element that loads another page, and wait for it; then,
    with ``skip``, use the skip link of the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    if skip:
        skip_to_content(page)


def sign_in(page, live_server: str, user: User, target: str = "/",  # type: ignore[no-untyped-def]
            skip: bool = False) -> None:
    """The sign-in form by keyboard: e-mail, password, Enter."""
    page.goto(f"{live_server}/login?next={target}")
    type_into(page, "email", user.email)
    type_into(page, "password", PASSWORD)
    press_on(page, skip=skip)
