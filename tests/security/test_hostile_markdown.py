"""The Markdown pipeline against hostile input: a hand-made XSS corpus and a fuzzer.

Whatever goes in, what comes out has no script element, no event-handler attribute, no
``javascript:``/``vbscript:``/``data:`` URL and no style beyond text alignment.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.content.markdown import MarkdownRenderer as Renderer

CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "| a |\n|---|\n| <td style=\"width:expression(alert(1))\">b |",
    "<p style=\"position:fixed;top:0\">cover</p>",
    "x{: onclick=\"alert(1)\" }",
    "# Title {: onmouseover=alert(1) }",
    "[x](https://example.org){: onclick=alert(1) }",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<form action=\"https://evil.example\"><input name=p></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--><img src=x onerror=alert(1)>-->",
    "<a href=\"https://example.org\" onclick=\"alert(1)\">ok</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "!!! note \"<img src=x onerror=alert(1)>\"\n    body",
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
]

FORBIDDEN_ELEMENTS = {"script", "iframe", "object", "embed", "form", "input", "style", "meta",
                      "base", "link", "svg", "math", "body", "noscript"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.problems.append(f"{tag}[{name}]")
            if name in URL_ATTRIBUTES:
                squeezed = "".join(value.split())
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag}[{name}={value}]")
            if name == "style" and not _only_text_align(value):
                self.problems.append(f"{tag}[style={value}]")


def _only_text_align(style: str) -> bool:
    declarations = [part.strip() for part in style.split(";") if part.strip()]
    return all(part.split(":", 1)[0].strip() == "text-align"
               and part.split(":", 1)[1].strip() in {"left", "right", "center"}
               for part in declarations)


def _problems(html: str) -> list[str]:
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


@pytest.mark.parametrize("payload", CORPUS)
def test_corpus_payload_comes_out_harmless(renderer: Renderer, payload: str) -> None:
    html = renderer.render_fragment(payload, unit_id="module-1-defining-supervision")
    assert _problems(html) == []


def test_the_inspector_catches_what_it_looks_for() -> None:
    # The checks above would pass vacuously if the inspector saw nothing.
    assert _problems('<a href=" javascript:x" onclick="y">a</a><script></script>') == [
        "a[href=javascript:x]", "a[onclick]", "<script>"]


def test_safe_markup_survives(renderer: Renderer) -> None:
    html = renderer.render_fragment("**Supervision** [guide](https://example.org/guide)")
    assert "<strong>Supervision</strong>" in html
    assert 'href="https://example.org/guide"' in html


FRAGMENTS = st.sampled_from([
    "<", ">", "\"", "'", "=", "/", "(", ")", "[", "]", "{:", "}", "!", "#", "|", "`", "\n",
    " ", "\t", ":", "&", ";", "&#", "x", "a", "img", "src", "href", "on", "onerror",
    "javascript", "JaVa", "script", "data", "vbscript", "style", "svg", "iframe", "%0a",
    "&colon;", "&#58;", "&#x3A;", "\x00", "url(", "expression(", "-->", "<!--", "!!!",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=60).map("".join))
def test_fuzzed_markdown_never_keeps_active_content(payload: str) -> None:
    html = Renderer().render_fragment(payload, unit_id="module-1-defining-supervision")
    assert _problems(html) == []
