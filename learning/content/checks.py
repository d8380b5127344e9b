"""``check_content``: every problem in ``modules/`` and ``quizzes/``, with file and line.

The loader reports what it cannot read (bad YAML, missing front matter, a section missing
in one language, broken ``:::`` blocks); this module checks the values and the references
between files. Both lists are merged, so ``flask content check`` shows everything at once.
Units and sections are checked here, question banks in ``bank_checks``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from learning.content.bank_checks import BankChecker, bank_id
from learning.content.loader import (
    LANGUAGE_NAMES,
    LoadedContent,
    SectionFile,
    SectionSources,
    UnitSources,
    YamlDocument,
    read_content,
)
from learning.content.markdown import (
    ACTION_PLAN,
    ADMONITION_TYPES,
    FENCE,
    REFLECTION,
    SECTION_LINK_PREFIX,
    normalised_relative_path,
)
from learning.content.reporting import (
    STABLE_ID,
    Reporter,
    choices,
    listing,
    positive_int,
)
from learning.content.schema import (
    LANGUAGES,
    SECTION_KINDS,
    UNIT_KINDS,
    Problem,
)

__all__ = ["MAX_SECTION_WORDS", "Problem", "check_content", "check_loaded"]

MAX_SECTION_WORDS = 1500

UNIT_REQUIRED_KEYS = ("id", "order", "kind", "minutes", "title", "summary", "objectives", "recap")
UNIT_KEYS = frozenset({*UNIT_REQUIRED_KEYS, "prerequisites", "quiz"})
FRONT_MATTER_KEYS = ("id", "title", "minutes", "kind")

# A raw HTML tag, closing tag, comment, doctype or processing instruction.
RAW_HTML = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?=[\s/>]|$)|!--|![A-Za-z]|\?)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])\s")
_LEVEL_ONE_HEADING = re.compile(r"^#(?!#)")
_ADMONITION = re.compile(r"^ {0,3}!!!\s*([\w-]*)")
_EXTERNAL_SCHEMES = ("http:", "https:", "mailto:", "//")
# Raster formats only: an SVG served from our origin could carry script.
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})


def check_content(root: Path) -> list[Problem]:
    """All problems in the content under ``root``, sorted by file and line."""
    return check_loaded(read_content(root))


def check_loaded(content: LoadedContent) -> list[Problem]:
    checker = _Checker(content)
    checker.run()
    unique = dict.fromkeys([*content.problems, *checker.problems])
    return sorted(unique, key=lambda p: (p.file, p.line, p.message))


class _Checker(Reporter):
    def __init__(self, content: LoadedContent) -> None:
        super().__init__()
        self.content = content
        self.unit_ids = {source.unit_id for source in content.units}
        self.quiz_ids = {bank_id(document) for document in content.quizzes}
        self.section_ids = {
            file.meta["id"] for unit in content.units for pair in unit.sections
            for file in pair.files.values() if isinstance(file.meta.get("id"), str)
        }
        self.objectives_by_unit: dict[str, set[str]] = {
            source.unit_id: _objective_ids(source.unit_yaml) for source in content.units
        }
        self.quiz_of_unit = {
            source.unit_id: source.unit_yaml.mapping().get("quiz")
            for source in content.units if source.unit_yaml is not None
        }

    def run(self) -> None:
        for unit in self.content.units:
            if unit.unit_yaml is not None:
                self.check_unit_yaml(unit.unit_yaml, unit.folder)
            self.check_sections(unit)
        self.check_unique_unit_values()
        self.check_unique_section_ids()
        self.check_unique_reflection_ids()
        banks = BankChecker(self.content.quizzes, self.objectives_by_unit, self.quiz_of_unit)
        banks.run()
        self.problems.extend(banks.problems)

    # --- unit.yaml ---------------------------------------------------------------------

    def check_unit_yaml(self, document: YamlDocument, folder: Path) -> None:
        if not isinstance(document.data, dict):
            self.add(document.file, 1, "unit.yaml must be a mapping of keys (id, order, …)")
            return
        data = document.data
        for key in UNIT_REQUIRED_KEYS:
            if key not in data:
                self.add(document.file, 1, f"missing required key '{key}'")
        for key in data:
            if key not in UNIT_KEYS:
                self.add(document.file, document.line(key), f"unknown key '{key}'")
        unit_id = data.get("id")
        if "id" in data and unit_id != folder.name:
            self.add(document.file, document.line("id"),
                     f"id '{unit_id}' must be the folder name '{folder.name}'")
        if "order" in data and not positive_int(data["order"]):
            self.add(document.file, document.line("order"), "order must be a whole number ≥ 1")
        if "kind" in data and data["kind"] not in UNIT_KINDS:
            self.add(document.file, document.line("kind"),
                     f"unknown unit kind '{data['kind']}' (use {choices(UNIT_KINDS)})")
        if "minutes" in data and not positive_int(data["minutes"]):
            self.add(document.file, document.line("minutes"),
                     "minutes must be a whole number ≥ 1")
        for key in ("title", "summary"):
            if key in data:
                self.check_text(document, (key,), key)
        self.check_prerequisites(document, data.get("prerequisites"))
        quiz = data.get("quiz")
        if quiz is not None:
            if not isinstance(quiz, str) or not quiz:
                self.add(document.file, document.line("quiz"), "quiz must be a quiz id")
            elif quiz not in self.quiz_ids:
                self.add(document.file, document.line("quiz"),
                         f"quiz '{quiz}' does not exist in quizzes/ "
                         f"(expected quizzes/{quiz}.yaml)")
        self.check_objectives(document, data.get("objectives"))
        recap = data.get("recap")
        if "recap" in data:
            if not isinstance(recap, list) or not recap:
                self.add(document.file, document.line("recap"),
                         "recap must be a list of points, each with en and fr")
            else:
                for index in range(len(recap)):
                    self.check_text(document, ("recap", index), f"recap point {index + 1}")

    def check_prerequisites(self, document: YamlDocument, prerequisites: Any) -> None:
        if prerequisites is None:
            return
        if not isinstance(prerequisites, list):
            self.add(document.file, document.line("prerequisites"),
                     "prerequisites must be a list of unit ids (may be [])")
            return
        for index, prerequisite in enumerate(prerequisites):
            if prerequisite not in self.unit_ids:
                self.add(document.file, document.line("prerequisites", index),
                         f"unknown prerequisite unit '{prerequisite}'")

    def check_objectives(self, document: YamlDocument, objectives: Any) -> None:
        if objectives is None:
            return
        if not isinstance(objectives, list) or not objectives:
            self.add(document.file, document.line("objectives"),
                     "objectives must be a list of items with id, en and fr")
            return
        for index, objective in enumerate(objectives):
            if not isinstance(objective, dict):
                self.add(document.file, document.line("objectives", index),
                         "an objective needs id, en and fr")
                continue
            self.check_id(document, ("objectives", index, "id"), objective.get("id"),
                          "objective id")
            label = f"objective {objective.get('id') or index + 1}"
            self.check_text(document, ("objectives", index), label)

    def check_unique_unit_values(self) -> None:
        seen_orders: dict[int, str] = {}
        seen_objectives: dict[str, str] = {}
        for unit in self.content.units:
            document = unit.unit_yaml
            if document is None:
                continue
            order = document.mapping().get("order")
            if isinstance(order, int) and positive_int(order):
                if order in seen_orders:
                    self.add(document.file, document.line("order"),
                             f"order {order} is also used by {seen_orders[order]}")
                seen_orders.setdefault(order, document.file)
            objectives = document.mapping().get("objectives")
            for index, objective in enumerate(objectives if isinstance(objectives, list) else []):
                objective_id = objective.get("id") if isinstance(objective, dict) else None
                if isinstance(objective_id, str):
                    if objective_id in seen_objectives:
                        self.add(document.file, document.line("objectives", index, "id"),
                                 f"objective id '{objective_id}' is also used in "
                                 f"{seen_objectives[objective_id]}")
                    seen_objectives.setdefault(objective_id, document.file)

    # --- sections ----------------------------------------------------------------------

    def check_sections(self, unit: UnitSources) -> None:
        by_number: dict[int, SectionSources] = {}
        for pair in unit.sections:
            if pair.number in by_number:
                first = next(iter(by_number[pair.number].files.values()))
                for file in pair.files.values():
                    self.add(file.file, 1, f"number {pair.number:02d} is also used by "
                                           f"{Path(first.file).name}")
            by_number.setdefault(pair.number, pair)
            for file in pair.files.values():
                self.check_section_file(file, unit.folder)
            if all(language in pair.files for language in LANGUAGES):
                self.check_same_structure(pair.files["en"], pair.files["fr"])
        self.check_action_plan_placement(unit)

    def check_section_file(self, file: SectionFile, folder: Path) -> None:
        meta, document = file.meta, file.front_matter
        for key in FRONT_MATTER_KEYS:
            if key not in meta and document.data is not None:
                self.add(file.file, 1, f"front matter has no '{key}'")
        for key in meta:
            if key not in FRONT_MATTER_KEYS:
                self.add(file.file, document.line(key), f"unknown front-matter key '{key}' "
                                                        f"(use {', '.join(FRONT_MATTER_KEYS)})")
        if "id" in meta:
            self.check_id(document, ("id",), meta["id"], "section id")
        if "title" in meta and (not isinstance(meta["title"], str) or not meta["title"].strip()):
            self.add(file.file, document.line("title"), "title must be a non-empty text")
        if "minutes" in meta and not positive_int(meta["minutes"]):
            self.add(file.file, document.line("minutes"), "minutes must be a whole number ≥ 1")
        if "kind" in meta and meta["kind"] not in SECTION_KINDS:
            self.add(file.file, document.line("kind"),
                     f"unknown kind '{meta['kind']}' (use {choices(SECTION_KINDS)})")
        self.check_blocks(file)
        self.check_links(file, folder)
        self.check_markdown_text(file)
        words = file.rendered.words
        if words > MAX_SECTION_WORDS:
            self.add(file.file, 1, f"section has {words:,} words in "
                                   f"{LANGUAGE_NAMES[file.language]} (limit "
                                   f"{MAX_SECTION_WORDS:,}): split it")

    def check_blocks(self, file: SectionFile) -> None:
        plans = 0
        for block in file.rendered.blocks:
            line = file.body_line(block.line)
            if block.kind == REFLECTION:
                if not block.argument:
                    self.add(file.file, line, "reflection block without an id: write "
                                              "'::: reflection <id>'")
                elif not STABLE_ID.match(block.argument):
                    self.add(file.file, line, f"reflection id '{block.argument}' must be "
                                              "lower-case letters, digits and '-' only")
                if not any(text.strip() for text in block.body):
                    self.add(file.file, line, "reflection block has no question")
            elif block.kind == ACTION_PLAN:
                plans += 1
                if plans > 1:
                    self.add(file.file, line, "only one '::: action-plan' block per section")
        for plan in file.rendered.action_plans:
            if not plan.suggestions:
                self.add(file.file, file.body_line(plan.line),
                         "action-plan block lists no suggestions (write them as '- ' lines)")

    def check_same_structure(self, english: SectionFile, french: SectionFile) -> None:
        """The French file must match the English one in everything the platform keys on."""
        twin = Path(english.file).name
        for key in ("id", "kind", "minutes"):
            en_value, fr_value = english.meta.get(key), french.meta.get(key)
            if key in english.meta and key in french.meta and en_value != fr_value:
                self.add(french.file, french.front_matter.line(key),
                         f"{key} '{fr_value}' differs from '{en_value}' in {twin}")
        en_ids = [block.argument for block in english.rendered.blocks
                  if block.kind == REFLECTION]
        fr_blocks = [block for block in french.rendered.blocks if block.kind == REFLECTION]
        fr_ids = [block.argument for block in fr_blocks]
        if en_ids != fr_ids:
            line = french.body_line(fr_blocks[0].line) if fr_blocks else 1
            for index, (en_id, fr_id) in enumerate(zip(en_ids, fr_ids, strict=False)):
                if en_id != fr_id:
                    line = french.body_line(fr_blocks[index].line)
                    break
            self.add(french.file, line,
                     f"reflection ids {listing(fr_ids)} differ from {listing(en_ids)} "
                     f"in {twin}")
        en_plan = bool(english.rendered.action_plans)
        if en_plan != bool(french.rendered.action_plans):
            where = "only the French" if not en_plan else "only the English"
            self.add(french.file, 1, f"{where} version has an '::: action-plan' block")

    def check_action_plan_placement(self, unit: UnitSources) -> None:
        kind = unit.unit_yaml.mapping().get("kind") if unit.unit_yaml is not None else None
        for position, pair in enumerate(unit.sections):
            last = position == len(unit.sections) - 1
            for file in pair.files.values():
                plans = file.rendered.action_plans
                if plans and (kind != "module" or not last):
                    self.add(file.file, file.body_line(plans[0].line),
                             "an '::: action-plan' block belongs only in the last section "
                             "of a module")
                if not plans and kind == "module" and last:
                    self.add(file.file, 1, "the last section of a module must hold the "
                                           "'::: action-plan' block")

    def check_links(self, file: SectionFile, folder: Path) -> None:
        for link in file.rendered.links:
            line = file.body_line(link.line)
            url = link.url.strip()
            if link.is_image:
                path = normalised_relative_path(url)
                if path is None:
                    self.add(file.file, line, f"image '{_short(url)}' must be a file in the "
                                              "unit folder, written as a relative path")
                elif Path(path).suffix.lower() not in IMAGE_SUFFIXES:
                    self.add(file.file, line, f"image '{path}' must be a PNG, JPEG, GIF or "
                                              "WebP file")
                elif not (folder / path).is_file():
                    self.add(file.file, line, f"missing image file '{path}' (looked in "
                                              f"{folder.name}/)")
            elif url.startswith(SECTION_LINK_PREFIX):
                target = url.removeprefix(SECTION_LINK_PREFIX).partition("#")[0].strip()
                if target not in self.section_ids:
                    self.add(file.file, line, f"broken link: no section with id '{target}'")
            elif url.startswith("#"):
                continue
            elif url.lower().startswith(_EXTERNAL_SCHEMES):
                self.add(file.file, line, f"external link '{_short(url)}' is not allowed: "
                                          "link to sections with section:<id>")
            else:
                self.add(file.file, line, f"link '{_short(url)}' is not allowed: link to "
                                          "sections with section:<id>")

    def check_markdown_text(self, file: SectionFile) -> None:
        for index, text in _prose_lines(file.body_lines):
            line = file.body_line(index + 1)
            raw = RAW_HTML.search(text)
            if raw:
                snippet = text[raw.start():raw.start() + 24].split(">")[0] + ">"
                self.add(file.file, line, f"raw HTML '{snippet}' is not allowed in Markdown "
                                          "(it would be removed)")
            if _LEVEL_ONE_HEADING.match(text):
                self.add(file.file, line, "use ## and ### headings: the page shows the title "
                                          "as the top heading")
            admonition = _ADMONITION.match(text)
            if admonition and admonition.group(1) not in ADMONITION_TYPES:
                self.add(file.file, line, f"unknown admonition type '{admonition.group(1)}' "
                                          f"(use {choices(ADMONITION_TYPES)})")

    def check_unique_section_ids(self) -> None:
        seen: dict[str, str] = {}
        for unit in self.content.units:
            for pair in unit.sections:
                file = pair.files.get("en") or pair.files.get("fr")
                section_id = file.meta.get("id") if file is not None else None
                if file is None or not isinstance(section_id, str):
                    continue
                if section_id in seen:
                    self.add(file.file, file.front_matter.line("id"),
                             f"section id '{section_id}' is also used by {seen[section_id]}")
                seen.setdefault(section_id, file.file)

    def check_unique_reflection_ids(self) -> None:
        seen: dict[str, str] = {}
        for unit in self.content.units:
            for pair in unit.sections:
                file = pair.files.get("en") or pair.files.get("fr")
                if file is None:
                    continue
                for block in file.rendered.blocks:
                    if block.kind != REFLECTION or not block.argument:
                        continue
                    if block.argument in seen:
                        self.add(file.file, file.body_line(block.line),
                                 f"reflection id '{block.argument}' is also used in "
                                 f"{seen[block.argument]}")
                    seen.setdefault(block.argument, file.file)


# --- helpers -----------------------------------------------------------------------------


def _prose_lines(lines: Sequence[str]) -> Iterator[tuple[int, str]]:
    """(index, text) of the lines that are not code, with inline code spans removed.

    Code is a fenced block, or an indented block that follows a blank line outside a list
    or admonition (whose bodies are indented too)."""
    fence: str | None = None
    in_container = False
    in_code_block = False
    previous_blank = True
    for index, line in enumerate(lines):
        fence_match = FENCE.match(line)
        if fence_match and (fence is None or fence_match.group(1)[0] == fence):
            fence = fence_match.group(1)[0] if fence is None else None
            continue
        if fence is not None:
            continue
        if not line.strip():
            previous_blank = True
            continue
        if line.startswith(("    ", "\t")):
            if in_code_block or (previous_blank and not in_container):
                in_code_block = True
                previous_blank = False
                continue
        else:
            in_code_block = False
            starts_container = bool(_LIST_ITEM.match(line) or _ADMONITION.match(line))
            in_container = starts_container or (in_container and not previous_blank)
        previous_blank = False
        yield index, _CODE_SPAN.sub("", line)


def _objective_ids(document: YamlDocument | None) -> set[str]:
    if document is None:
        return set()
    objectives = document.mapping().get("objectives")
    return {
        item["id"] for item in (objectives if isinstance(objectives, list) else [])
        if isinstance(item, dict) and isinstance(item.get("id"), str)
    }


def _short(url: str) -> str:
    return url if len(url) <= 60 else url[:57] + "…"
