"""Markdown to safe HTML, once per section at load time.

Section bodies go through python-markdown (tables, attr_list, admonition, toc, sane_lists)
and then nh3 with an explicit allow-list. Markdown passes raw HTML through and
``attr_list`` lets authors set any attribute (``{: onclick="..."}``), so the sanitiser,
not the Markdown configuration, is what keeps pages safe.

The two custom blocks (``::: reflection <id>`` and ``::: action-plan``) are cut out of the
source before Markdown sees it: each becomes a placeholder paragraph, rendered separately,
then swapped for its HTML before sanitising, so the whole page passes nh3 once.
"""

from __future__ import annotations

import html as html_lib
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

SectionUrl = Callable[[str], str]
ImageUrl = Callable[[str, str], str]

SECTION_LINK_PREFIX = "section:"
ADMONITION_TYPES = frozenset({"note", "tip", "warning", "example"})

ALLOWED_TAGS = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
        "ul", "ol", "li",
        "table", "thead", "tbody", "tr", "th", "td",
        "blockquote", "em", "strong", "code", "pre",
        "a", "img", "div",
    }
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    # The placeholder the reader turns into a reflection box; only on div.
    "div": {"data-reflection-id"},
    # toc gives headings ids so the page can link to them.
    **{f"h{level}": {"id"} for level in range(1, 7)},
    "ol": {"start"},  # sane_lists keeps a list's first number
    # Pipe-table column alignment; filter_style_properties keeps only text-align.
    "th": {"style"},
    "td": {"style"},
}
# nh3 filters classes separately from other attributes (class must not be listed above).
ALLOWED_CLASSES: dict[str, set[str]] = {
    "div": {"admonition", *ADMONITION_TYPES, "reflection", "action-plan-exercise"},
    "p": {"admonition-title"},
}
ALLOWED_STYLE_PROPERTIES = frozenset({"text-align"})
# Relative URLs (our own pages and images) are always kept; these are the only schemes.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

MARKDOWN_EXTENSIONS = ("tables", "attr_list", "admonition", "toc", "sane_lists")

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_OPEN = re.compile(r"^ {0,3}:::[ \t]*([A-Za-z][\w-]*)(.*)$")
_BLOCK_CLOSE = re.compile(r"^ {0,3}:::[ \t]*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*\S)\s*$")
_TAG = re.compile(r"<[^>]*>")
_WORD = re.compile(r"\w+(?:['’-]\w+)*")
# Letters and digits only, so Markdown leaves it alone; the index makes each one unique.
_PLACEHOLDER = "TANDEMCUSTOMBLOCK{index}PLACEHOLDER"

REFLECTION = "reflection"
ACTION_PLAN = "action-plan"
BLOCK_KINDS = frozenset({REFLECTION, ACTION_PLAN})


def default_section_url(section_id: str) -> str:
    return f"/learn/sections/{quote(section_id)}"


def default_image_url(unit_id: str, path: str) -> str:
    return f"/content/{quote(unit_id)}/{quote(path)}"


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        filter_style_properties=set(ALLOWED_STYLE_PROPERTIES),
        url_schemes=set(ALLOWED_URL_SCHEMES),
        strip_comments=True,
    )


def plain_text(html: str) -> str:
    """The text of a sanitised fragment, whitespace collapsed."""
    return " ".join(html_lib.unescape(_TAG.sub(" ", html)).split())


def count_words(text: str) -> int:
    """Words as a reader counts them: ``l'encadrement`` and ``bien-être`` are one each."""
    return len(_WORD.findall(text))


def normalised_relative_path(url: str) -> str | None:
    """``url`` as a path inside the unit folder, or None when it is not a relative path
    (a scheme, an absolute path, an anchor) or climbs out of the folder."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or url.startswith(("/", "#", "\\")):
        return None
    path = posixpath.normpath(parts.path)
    if path == ".." or path.startswith("../") or path.startswith("/"):
        return None
    return path


# --- custom blocks ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomBlock:
    kind: str  # reflection | action-plan | whatever the author wrote
    argument: str  # the text after the kind: the reflection id
    line: int  # 1-based, within the body
    body: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BlockIssue:
    line: int  # 1-based, within the body
    message: str


@dataclass(frozen=True, slots=True)
class SplitBody:
    markdown: str  # the body with each custom block replaced by its placeholder
    blocks: tuple[CustomBlock, ...]
    issues: tuple[BlockIssue, ...]


def split_custom_blocks(lines: Sequence[str]) -> SplitBody:
    """Cut the ``::: kind`` … ``:::`` blocks out of a Markdown body."""
    output: list[str] = []
    blocks: list[CustomBlock] = []
    issues: list[BlockIssue] = []
    fence: str | None = None
    open_block: tuple[str, str, int] | None = None
    body: list[str] = []

    def close_block() -> None:
        assert open_block is not None
        kind, argument, line = open_block
        output.extend(["", _PLACEHOLDER.format(index=len(blocks)), ""])
        blocks.append(CustomBlock(kind, argument, line, tuple(body)))
        body.clear()

    for number, line in enumerate(lines, start=1):
        fence_match = FENCE.match(line)
        if fence_match and (fence is None or fence_match.group(1)[0] == fence):
            fence = fence_match.group(1)[0] if fence is None else None
        if fence is None and _BLOCK_CLOSE.match(line):
            if open_block is None:
                issues.append(BlockIssue(number, "':::' closes no block"))
            else:
                close_block()
                open_block = None
            continue
        opening = _BLOCK_OPEN.match(line) if fence is None else None
        if opening:
            kind, argument = opening.group(1), opening.group(2).strip()
            if open_block is not None:
                issues.append(BlockIssue(
                    open_block[2],
                    f"'::: {open_block[0]}' is not closed with ':::' before the next block "
                    f"(line {number})",
                ))
                close_block()
            if kind not in BLOCK_KINDS:
                issues.append(BlockIssue(
                    number, f"unknown block '::: {kind}' (use '::: reflection <id>' or "
                            "'::: action-plan')",
                ))
            open_block = (kind, argument, number)
            continue
        (body if open_block is not None else output).append(line)
    if open_block is not None:
        issues.append(BlockIssue(open_block[2], f"'::: {open_block[0]}' is never closed "
                                                "with ':::'"))
        close_block()
    return SplitBody("\n".join(output), tuple(blocks), tuple(issues))


# --- links and images --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkTarget:
    url: str  # as the author wrote it
    is_image: bool
    line: int  # 1-based, within the body; best effort


class _LinkRewriter(Treeprocessor):
    """Records every link and image target, and rewrites ``section:<id>`` links and images
    relative to the unit folder to the URLs the application serves."""

    def __init__(self, md: markdown.Markdown, section_url: SectionUrl,
                 image_url: ImageUrl) -> None:
        super().__init__(md)
        self.section_url = section_url
        self.image_url = image_url
        self.unit_id = ""
        self.found: list[tuple[str, bool]] = []

    def run(self, root: Element) -> None:
        for element in root.iter():
            if element.tag == "a" and element.get("href") is not None:
                href = element.get("href", "")
                self.found.append((href, False))
                if href.startswith(SECTION_LINK_PREFIX):
                    section_id, _, anchor = href.removeprefix(SECTION_LINK_PREFIX).partition("#")
                    element.set("href", self.section_url(section_id.strip())
                                + (f"#{anchor}" if anchor else ""))
            elif element.tag == "img" and element.get("src") is not None:
                src = element.get("src", "")
                self.found.append((src, True))
                path = normalised_relative_path(src)
                if path is not None:
                    element.set("src", self.image_url(self.unit_id, path))


class _LinkRewriterExtension(Extension):
    def __init__(self, section_url: SectionUrl, image_url: ImageUrl) -> None:
        super().__init__()
        self.section_url = section_url
        self.image_url = image_url
        self.rewriter: _LinkRewriter | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.rewriter = _LinkRewriter(md, self.section_url, self.image_url)
        # After inline parsing (20), attr_list (8) and toc (5): every element exists.
        md.treeprocessors.register(self.rewriter, "tandem_links", 1)


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RenderedReflection:
    id: str  # "" when the author forgot it (the check reports it)
    html: str
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class RenderedActionPlan:
    intro: str
    suggestions: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    reflections: tuple[RenderedReflection, ...]
    action_plans: tuple[RenderedActionPlan, ...]
    blocks: tuple[CustomBlock, ...]
    links: tuple[LinkTarget, ...]
    issues: tuple[BlockIssue, ...]
    words: int


class MarkdownRenderer:
    """Renders section bodies. Holds one Markdown instance (reset between documents), so
    use it from one thread: the loader renders everything once at start-up."""

    def __init__(self, section_url: SectionUrl = default_section_url,
                 image_url: ImageUrl = default_image_url) -> None:
        self._links = _LinkRewriterExtension(section_url, image_url)
        self._md = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, self._links], output_format="html"
        )

    def _convert(self, text: str, unit_id: str) -> tuple[str, list[tuple[str, bool]]]:
        """Markdown to HTML, NOT yet sanitised, with the link targets it contains."""
        rewriter = self._links.rewriter
        assert rewriter is not None
        rewriter.unit_id = unit_id
        rewriter.found = []
        html = self._md.reset().convert(text)
        return html, rewriter.found

    def render_fragment(self, text: str, *, unit_id: str = "") -> str:
        """A piece of Markdown, rendered and sanitised (no custom blocks)."""
        return sanitise(self._convert(text, unit_id)[0])

    def render_body(self, lines: Sequence[str], *, unit_id: str) -> RenderedBody:
        split = split_custom_blocks(lines)
        page, targets = self._convert(split.markdown, unit_id)
        reflections: list[RenderedReflection] = []
        action_plans: list[RenderedActionPlan] = []
        extra_words = 0
        for index, block in enumerate(split.blocks):
            if block.kind == REFLECTION:
                prompt, prompt_targets = self._convert("\n".join(block.body), unit_id)
                targets.extend(prompt_targets)
                prompt = sanitise(prompt)
                reflections.append(RenderedReflection(
                    block.argument, prompt, plain_text(prompt), block.line))
                id_attribute = (f' data-reflection-id="{html_lib.escape(block.argument)}"'
                                if block.argument else "")
                replacement = f'<div class="reflection"{id_attribute}>{prompt}</div>'
            elif block.kind == ACTION_PLAN:
                plan = _action_plan(block)
                action_plans.append(plan)
                extra_words += count_words(" ".join((plan.intro, *plan.suggestions)))
                replacement = '<div class="action-plan-exercise"></div>'
            else:
                replacement = ""  # an unknown block is reported; its text is not shown
            page = _replace_placeholder(page, index, replacement)
        page = sanitise(page)
        return RenderedBody(
            html=page,
            reflections=tuple(reflections),
            action_plans=tuple(action_plans),
            blocks=split.blocks,
            links=_locate_links(targets, lines),
            issues=split.issues,
            words=count_words(plain_text(page)) + extra_words,
        )


def _replace_placeholder(page: str, index: int, replacement: str) -> str:
    token = _PLACEHOLDER.format(index=index)
    as_paragraph = f"<p>{token}</p>"
    if as_paragraph in page:
        return page.replace(as_paragraph, replacement, 1)
    return page.replace(token, replacement, 1)


def _action_plan(block: CustomBlock) -> RenderedActionPlan:
    intro: list[str] = []
    suggestions: list[str] = []
    for line in block.body:
        bullet = _BULLET.match(line)
        if bullet:
            suggestions.append(bullet.group(1))
        elif line.strip():
            intro.append(line.strip())
    return RenderedActionPlan(" ".join(intro), tuple(suggestions), block.line)


def _locate_links(targets: Sequence[tuple[str, bool]],
                  lines: Sequence[str]) -> tuple[LinkTarget, ...]:
    """Attach a line to each link target: the next line, after the previous occurrence of
    the same target, that contains it (repeated links then get their own lines)."""
    searched_from: dict[str, int] = {}
    located: list[LinkTarget] = []
    for url, is_image in targets:
        start = searched_from.get(url, 0)
        found = next((i for i in range(start, len(lines)) if url in lines[i]), None)
        if found is None:
            found = next((i for i in range(len(lines)) if url in lines[i]), 0)
        searched_from[url] = found + 1
        located.append(LinkTarget(url, is_image, found + 1))
    return tuple(located)
