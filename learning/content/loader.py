"""Read ``modules/`` and ``quizzes/`` into a ``Catalogue``.

Loading never raises for a content problem: what cannot be read is reported as a
``Problem`` and left out (or, for a missing translation, filled from the other language so
a reader never meets an empty page). ``read_content`` also returns the parsed sources with
line numbers, which ``checks`` uses to validate values and cross-references.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from learning.content.markdown import (
    ImageUrl,
    MarkdownRenderer,
    RenderedBody,
    SectionUrl,
    default_image_url,
    default_section_url,
)
from learning.content.schema import (
    LANGUAGES,
    Bilingual,
    Catalogue,
    Objective,
    Option,
    Problem,
    Question,
    QuestionBank,
    Reflection,
    Section,
    Text,
    Unit,
)

SECTION_FILE = re.compile(r"^(\d{2,})-([a-z0-9]+(?:-[a-z0-9]+)*)\.(en|fr)\.md$")
LANGUAGE_NAMES = {"en": "English", "fr": "French"}

LinePath = tuple[str | int, ...]


# --- sources: what was read, with line numbers ----------------------------------------------


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A parsed YAML document and the file line of every key and list item in it."""

    file: str  # relative to the content root
    data: Any
    lines: Mapping[LinePath, int]

    def line(self, *path: str | int) -> int:
        """The line of ``path`` (keys and list indexes), or of its closest ancestor."""
        key: LinePath = tuple(path)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)

    def mapping(self) -> dict[str, Any]:
        return self.data if isinstance(self.data, dict) else {}


@dataclass(frozen=True, slots=True)
class SectionFile:
    file: str
    path: Path
    language: str
    number: int
    slug: str
    front_matter: YamlDocument
    body_lines: tuple[str, ...]
    body_start: int  # file line of the first body line
    rendered: RenderedBody
    digest: str

    def body_line(self, line_in_body: int) -> int:
        return self.body_start + line_in_body - 1

    @property
    def meta(self) -> dict[str, Any]:
        return self.front_matter.mapping()


@dataclass(frozen=True, slots=True)
class SectionSources:
    """The files of one section: ``NN-slug`` in each language that exists."""

    number: int
    slug: str
    files: Mapping[str, SectionFile]


@dataclass(frozen=True, slots=True)
class UnitSources:
    folder: Path
    unit_id: str
    unit_yaml: YamlDocument | None
    sections: tuple[SectionSources, ...]


@dataclass(frozen=True, slots=True)
class LoadedContent:
    root: Path
    catalogue: Catalogue
    problems: tuple[Problem, ...]  # what stopped something from being read
    units: tuple[UnitSources, ...]
    quizzes: tuple[YamlDocument, ...]


class _ProblemLog:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.items: list[Problem] = []

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def add(self, path: Path | str, line: int, message: str) -> None:
        file = path if isinstance(path, str) else self.relative(path)
        self.items.append(Problem(file, max(line, 1), message))


# --- entry points ----------------------------------------------------------------------------


def load_catalogue(root: Path, *, section_url: SectionUrl = default_section_url,
                   image_url: ImageUrl = default_image_url) -> Catalogue:
    """The course under ``root`` (holding ``modules/`` and ``quizzes/``)."""
    return read_content(root, section_url=section_url, image_url=image_url).catalogue


def read_content(root: Path, *, section_url: SectionUrl = default_section_url,
                 image_url: ImageUrl = default_image_url) -> LoadedContent:
    problems = _ProblemLog(root)
    renderer = MarkdownRenderer(section_url, image_url)
    # Course order, so a duplicate id is reported where it appears the second time.
    unit_sources = sorted(_read_units(root, renderer, problems), key=_course_position)
    quiz_documents = _read_quizzes(root, problems)
    units = sorted((_build_unit(source) for source in unit_sources), key=lambda u: (u.order, u.id))
    quizzes: dict[str, QuestionBank] = {}
    for document in quiz_documents:
        bank = _build_bank(document)
        quizzes.setdefault(bank.id, bank)  # a duplicate id is reported by the check
    catalogue = Catalogue(units=tuple(units), quizzes=quizzes)
    return LoadedContent(root, catalogue, tuple(problems.items), tuple(unit_sources),
                         tuple(quiz_documents))


def _course_position(source: UnitSources) -> tuple[int, str]:
    order = source.unit_yaml.mapping().get("order") if source.unit_yaml is not None else None
    return (_integer(order), source.unit_id)


# --- reading -------------------------------------------------------------------------------


def _read_text(path: Path, problems: _ProblemLog) -> str | None:
    try:
        return path.read_text(encoding="utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        problems.add(path, 1, f"not UTF-8 text ({error.reason} at byte {error.start})")
    except OSError as error:
        problems.add(path, 1, f"cannot be read: {error.strerror}")
    return None


def parse_yaml(text: str, file: str, *, first_line: int = 1) -> YamlDocument:
    """Parse with the safe loader, keeping the line of every key and list item.

    Raises ``yaml.YAMLError``. ``first_line`` is the file line where ``text`` starts.
    """
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[LinePath, int] = {}
    if node is not None:
        _map_lines(node, (), lines, first_line - 1)
    return YamlDocument(file, data, MappingProxyType(lines))


def _map_lines(node: yaml.Node, path: LinePath, lines: dict[LinePath, int], offset: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, str(key_node.value))
            lines[child] = key_node.start_mark.line + 1 + offset  # the key's line, not the value's
            _map_lines(value_node, child, lines, offset)
    elif isinstance(node, yaml.SequenceNode) and len(path) < 64:
        for index, item in enumerate(node.value):
            _map_lines(item, (*path, index), lines, offset)


def _read_yaml(path: Path, problems: _ProblemLog) -> YamlDocument | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    try:
        return parse_yaml(text, problems.relative(path))
    except yaml.YAMLError as error:
        _report_yaml_error(error, path, problems, first_line=1)
        return None


def _report_yaml_error(error: yaml.YAMLError, path: Path, problems: _ProblemLog, *,
                       first_line: int) -> None:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + first_line if mark is not None else first_line
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    problems.add(path, line, f"YAML does not load: {reason} (quote strings holding ':' or "
                             "starting with a special character)")


def _read_units(root: Path, renderer: MarkdownRenderer,
                problems: _ProblemLog) -> list[UnitSources]:
    modules = root / "modules"
    if not modules.is_dir():
        problems.add("modules", 1, "no modules/ folder under the content root")
        return []
    units: list[UnitSources] = []
    for folder in sorted(path for path in modules.iterdir() if path.is_dir()):
        if folder.name.startswith((".", "_")):
            continue
        unit_file = folder / "unit.yaml"
        if not unit_file.is_file():
            if any(folder.glob("*.md")):
                problems.add(unit_file, 1, "missing: the folder has sections but no unit.yaml")
            continue
        document = _read_yaml(unit_file, problems)
        unit_id = folder.name
        if document is not None and isinstance(document.mapping().get("id"), str):
            unit_id = document.mapping()["id"]
        sections = _read_sections(folder, unit_id, renderer, problems)
        units.append(UnitSources(folder, unit_id, document, sections))
    return units


def _read_sections(folder: Path, unit_id: str, renderer: MarkdownRenderer,
                   problems: _ProblemLog) -> tuple[SectionSources, ...]:
    grouped: dict[tuple[int, str], dict[str, SectionFile]] = {}
    for path in sorted(folder.glob("*.md")):
        match = SECTION_FILE.match(path.name)
        if match is None:
            problems.add(path, 1, "file name must be NN-slug.en.md or NN-slug.fr.md "
                                  "(NN = 01, 02, …; slug in lower-case letters, digits, '-')")
            continue
        number, slug, language = int(match.group(1)), match.group(2), match.group(3)
        section_file = _read_section_file(path, number, slug, language, unit_id, renderer,
                                          problems)
        if section_file is not None:
            grouped.setdefault((number, slug), {})[language] = section_file
    sections = []
    for (number, slug), files in sorted(grouped.items()):
        for language in LANGUAGES:
            if language not in files:
                present = next(iter(files.values()))
                expected = f"{number:02d}-{slug}.{language}.md"
                problems.add(present.file, 1, f"the {LANGUAGE_NAMES[language]} version is "
                                              f"missing: expected {expected} beside this file")
        sections.append(SectionSources(number, slug, MappingProxyType(files)))
    return tuple(sections)


def _read_section_file(path: Path, number: int, slug: str, language: str, unit_id: str,
                       renderer: MarkdownRenderer, problems: _ProblemLog) -> SectionFile | None:
    text = _read_text(path, problems)
    if text is None:
        return None
    file = problems.relative(path)
    lines = text.splitlines()
    # data None: no front matter could be read (reported here, so the check adds nothing).
    front_matter = YamlDocument(file, None, MappingProxyType({}))
    body_start = 1
    if not lines or lines[0].strip() != "---":
        problems.add(path, 1, "no front matter: the file must start with a '---' line, then "
                              "id, title, minutes and kind, then another '---' line")
    else:
        closing = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if closing is None:
            problems.add(path, 1, "the front matter is never closed with a '---' line")
            closing = len(lines)
        try:
            front_matter = parse_yaml("\n".join(lines[1:closing]), file, first_line=2)
            if front_matter.data is None:  # '---' twice with nothing between
                front_matter = replace(front_matter, data={})
        except yaml.YAMLError as error:
            _report_yaml_error(error, path, problems, first_line=2)
        body_start = closing + 2
    body_lines = tuple(lines[body_start - 1:])
    rendered = renderer.render_body(body_lines, unit_id=unit_id)
    for issue in rendered.issues:
        problems.add(path, body_start + issue.line - 1, issue.message)
    if front_matter.data is not None and not isinstance(front_matter.data, dict):
        problems.add(path, 2, "the front matter must be key: value lines")
    return SectionFile(
        file=file, path=path, language=language, number=number, slug=slug,
        front_matter=front_matter, body_lines=body_lines, body_start=body_start,
        rendered=rendered, digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _read_quizzes(root: Path, problems: _ProblemLog) -> list[YamlDocument]:
    folder = root / "quizzes"
    if not folder.is_dir():
        return []
    documents = []
    for path in sorted(folder.glob("*.yaml")):
        document = _read_yaml(path, problems)
        if document is not None:
            documents.append(document)
    for path in sorted(folder.glob("*.yml")):
        problems.add(path, 1, "question banks end in .yaml (this file is not read)")
    return documents


# --- building the immutable objects -----------------------------------------------------------


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _integer(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def text_of(value: Any) -> Text:
    if not isinstance(value, dict):
        return Text.empty()
    return Text(en=_string(value.get("en")), fr=_string(value.get("fr")))


def _fallback(values: dict[str, Any], empty: Any) -> Bilingual[Any]:
    """One value per language, taking the other language's value where one is missing."""
    en = values.get("en", values.get("fr", empty))
    fr = values.get("fr", values.get("en", empty))
    return Bilingual(en=en, fr=fr)


def _build_unit(source: UnitSources) -> Unit:
    data = source.unit_yaml.mapping() if source.unit_yaml is not None else {}
    objectives = tuple(
        Objective(item["id"], Text(en=_string(item.get("en")), fr=_string(item.get("fr"))))
        for item in data.get("objectives") or []
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    )
    recap = tuple(
        Text(en=_string(item.get("en")), fr=_string(item.get("fr")))
        for item in data.get("recap") or []
        if isinstance(item, dict)
    )
    prerequisites = tuple(
        item for item in data.get("prerequisites") or [] if isinstance(item, str)
    )
    sections = tuple(
        section for pair in source.sections
        if (section := _build_section(pair, source.unit_id)) is not None
    )
    quiz = data.get("quiz")
    return Unit(
        id=source.unit_id,
        order=_integer(data.get("order")),
        kind=_string(data.get("kind")),
        minutes=_integer(data.get("minutes")),
        prerequisites=prerequisites,
        quiz_id=quiz if isinstance(quiz, str) and quiz else None,
        title=text_of(data.get("title")),
        summary=text_of(data.get("summary")),
        objectives=objectives,
        recap=recap,
        sections=sections,
        folder=source.folder,
    )


def _build_section(pair: SectionSources, unit_id: str) -> Section | None:
    primary = pair.files.get("en") or pair.files.get("fr")
    if primary is None:
        return None
    section_id = primary.meta.get("id")
    if not isinstance(section_id, str) or not section_id:
        return None  # nothing to key progress by; the check reports it
    files = pair.files
    titles = {lang: _string(f.meta.get("title")) for lang, f in files.items()}
    html = {lang: f.rendered.html for lang, f in files.items()}
    words = {lang: f.rendered.words for lang, f in files.items()}
    plans = {lang: f.rendered.action_plans[0] for lang, f in files.items()
             if f.rendered.action_plans}
    digest = hashlib.sha256()
    for language in LANGUAGES:
        digest.update(files[language].digest.encode() if language in files else b"-")
    return Section(
        id=section_id,
        unit_id=unit_id,
        slug=pair.slug,
        order=pair.number,
        kind=_string(primary.meta.get("kind")),
        minutes=_integer(primary.meta.get("minutes")),
        title=_text(_fallback(titles, "")),
        html=_fallback(html, ""),
        words=_fallback(words, 0),
        reflections=_reflections(files),
        has_action_plan=bool(plans),
        action_plan_intro=_text(_fallback({k: p.intro for k, p in plans.items()}, "")),
        action_plan_suggestions=_fallback({k: p.suggestions for k, p in plans.items()}, ()),
        version=digest.hexdigest()[:16],
    )


def _text(value: Bilingual[Any]) -> Text:
    return Text(en=value.en, fr=value.fr)


def _reflections(files: Mapping[str, SectionFile]) -> tuple[Reflection, ...]:
    """Prompts in the primary language's order, each matched by id in the other language."""
    by_language = {
        lang: {r.id: r for r in f.rendered.reflections if r.id} for lang, f in files.items()
    }
    primary = files.get("en") or files.get("fr")
    assert primary is not None
    reflections = []
    for prompt in primary.rendered.reflections:
        if not prompt.id:
            continue
        versions = {lang: found[prompt.id] for lang, found in by_language.items()
                    if prompt.id in found}
        reflections.append(Reflection(
            id=prompt.id,
            html=_text(_fallback({k: v.html for k, v in versions.items()}, "")),
            text=_text(_fallback({k: v.text for k, v in versions.items()}, "")),
        ))
    return tuple(reflections)


def freeze(value: Any) -> Any:
    """A read-only deep copy: dicts become read-only mappings, lists become tuples."""
    if isinstance(value, dict):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def _build_bank(document: YamlDocument) -> QuestionBank:
    data = document.mapping()
    bank_id = data.get("id")
    if not isinstance(bank_id, str) or not bank_id:
        bank_id = Path(document.file).stem
    unit = data.get("unit")
    pass_mark = data.get("pass_mark")
    questions = tuple(
        _build_question(item) for item in data.get("questions") or []
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    )
    return QuestionBank(
        id=bank_id,
        kind=_string(data.get("kind")),
        unit_id=unit if isinstance(unit, str) and unit else None,
        pass_mark=pass_mark if isinstance(pass_mark, int) and not isinstance(pass_mark, bool)
        else None,
        title=text_of(data.get("title")),
        questions=questions,
        raw=freeze(data),
    )


def _build_question(item: dict[str, Any]) -> Question:
    options = tuple(
        Option(
            id=str(option["id"]),
            text=text_of(option.get("text")),
            explanation=text_of(option["explanation"]) if "explanation" in option else None,
        )
        for option in item.get("options") or []
        if isinstance(option, dict) and "id" in option
    )
    objective = item.get("objective")
    return Question(
        id=item["id"],
        type=_string(item.get("type")),
        objective=objective if isinstance(objective, str) else None,
        text=text_of(item.get("text")),
        options=options,
        answer=freeze(item.get("answer")),
        explanation=text_of(item["explanation"]) if "explanation" in item else None,
        raw=freeze(item),
    )

