"""Rendering and sanitising: nothing an author writes can put script into a page."""

from __future__ import annotations

import pytest

from learning.content.markdown import (
    MarkdownRenderer,
    sanitise,
    split_custom_blocks,
)


def render(text: str, **renderer_options: object) -> str:
    renderer = MarkdownRenderer(**renderer_options)  # type: ignore[arg-type]
    return renderer.render_body(text.splitlines(), unit_id="sample-module").html


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("Hello\n\n<script>alert(1)</script>\n\nbye", ["<script", "alert(1)"]),
        ("Inline <script>alert(1)</script> too", ["<script", "alert(1)"]),
        ('A paragraph\n{: onclick="x" }', ["onclick"]),
        ('## Heading {: onmouseover="x" }', ["onmouseover"]),
        ("[x](javascript:alert(1))", ["javascript:"]),
        ("[x](JaVaScRiPt:alert(1))", ["javascript:", "JaVaScRiPt"]),
        ("![x](data:image/png;base64,iVBORw0KGgo=)", ["data:"]),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
        ("<img src=x onerror=alert(1)>", ["onerror", "alert(1)"]),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"]),
        ("<style>body { display: none }</style>", ["<style", "display"]),
        ("<iframe src='https://example.org'></iframe>", ["<iframe"]),
        ("<!-- a comment -->", ["<!--"]),
        ('<span data-reflection-id="x">not a div</span>', ["data-reflection-id"]),
        ("A paragraph\n{: .evil style=\"position: fixed\" }", ["evil", "position"]),
    ],
)
def test_dangerous_markup_never_survives(source: str, forbidden: list[str]) -> None:
    html = render(source)
    for text in forbidden:
        assert text not in html, html


def test_allowed_markup_is_kept() -> None:
    html = render(
        "## Title\n\n*em* **strong** `code`\n\n> quoted\n\n"
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        '!!! warning "Careful"\n    Body.\n\n3. three\n4. four\n'
    )
    assert '<h2 id="title">Title</h2>' in html
    assert "<em>em</em> <strong>strong</strong> <code>code</code>" in html
    assert "<blockquote>" in html
    assert '<th style="text-align:left">a</th>' in html
    assert '<div class="admonition warning">' in html
    assert '<p class="admonition-title">Careful</p>' in html
    assert '<ol start="3">' in html


def test_unknown_admonition_class_is_dropped() -> None:
    html = render('!!! danger "Boom"\n    Body.')
    assert "danger" not in html
    assert '<div class="admonition">' in html


def test_reflection_and_action_plan_blocks_become_placeholders() -> None:
    renderer = MarkdownRenderer()
    body = renderer.render_body(
        [
            "Before.",
            "::: reflection sm-r-one",
            "What *helped* you?",
            ":::",
            "- a list item right before the block",
            "::: action-plan",
            "Pick one:",
            "- First action",
            "* Second action",
            ":::",
            "After.",
        ],
        unit_id="u",
    )
    assert ('<div class="reflection" data-reflection-id="sm-r-one">'
            "<p>What <em>helped</em> you?</p></div>") in body.html
    assert '<div class="action-plan-exercise"></div>' in body.html
    assert "First action" not in body.html
    assert [r.id for r in body.reflections] == ["sm-r-one"]
    assert body.reflections[0].text == "What helped you?"
    (plan,) = body.action_plans
    assert plan.intro == "Pick one:"
    assert plan.suggestions == ("First action", "Second action")
    assert plan.line == 6
    assert body.html.index("Before.") < body.html.index("reflection") < body.html.index("After.")
    assert body.issues == ()


def test_reflection_id_is_escaped_in_the_attribute() -> None:
    html = render('::: reflection x"><script>alert(1)</script>\nQ?\n:::')
    assert "<script" not in html
    assert 'data-reflection-id="x&quot;&gt;&lt;script&gt;' in html  # inert attribute text


def test_blocks_inside_fenced_code_are_left_alone() -> None:
    split = split_custom_blocks(["```", "::: reflection x", "```"])
    assert split.blocks == ()
    assert split.issues == ()


@pytest.mark.parametrize(
    ("lines", "message", "line"),
    [
        (["::: reflection a", "Q?"], "never closed", 1),
        (["text", ":::"], "closes no block", 2),
        (["::: quiz", "x", ":::"], "unknown block", 1),
        (["::: reflection a", "Q?", "::: reflection b", "Q?", ":::"], "not closed", 1),
    ],
)
def test_block_syntax_issues_have_lines(lines: list[str], message: str, line: int) -> None:
    issues = split_custom_blocks(lines).issues
    assert any(message in issue.message and issue.line == line for issue in issues), issues


def test_section_links_and_images_are_rewritten() -> None:
    html = render("[next](section:sm-recap#part) ![d](./images/d.png) ![up](../x.png)")
    assert 'href="/learn/sections/sm-recap#part"' in html
    assert 'src="/content/sample-module/images/d.png"' in html
    assert 'src="../x.png"' in html  # not rewritten; the check reports it


def test_section_url_function_is_used() -> None:
    html = render("[next](section:sm-recap)", section_url=lambda sid: f"/units/x/{sid}")
    assert 'href="/units/x/sm-recap"' in html


def test_links_are_located_on_their_lines() -> None:
    body = MarkdownRenderer().render_body(
        ["[a](section:one)", "", "text", "", "[b](section:one) and ![i](i.png)"], unit_id="u"
    )
    assert [(link.url, link.is_image, link.line) for link in body.links] == [
        ("section:one", False, 1), ("section:one", False, 5), ("i.png", True, 5)
    ]


def test_word_count_includes_action_plan_suggestions() -> None:
    body = MarkdownRenderer().render_body(
        ["Three words here.", "::: action-plan", "Intro line", "- do one thing", ":::"],
        unit_id="u",
    )
    assert body.words == 3 + 2 + 3


def test_sanitise_keeps_only_allowed_schemes() -> None:
    html = sanitise('<a href="mailto:a@b.org">m</a><a href="ftp://x">f</a>'
                    '<a href="/learn/sections/x">r</a>')
    assert 'href="mailto:a@b.org"' in html
    assert "ftp:" not in html
    assert 'href="/learn/sections/x"' in html
