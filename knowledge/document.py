"""Parse a Markdown document with YAML front matter into a :class:`Document`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.problems import QUOTE_LIMIT, DocumentError, Problem

FRONT_MATTER_FENCE = "---"
MAX_FRONT_MATTER_DEPTH = 10
INTRO_SECTION = "概述"
_HEADING = re.compile(r"^##\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    """A `##` section: its heading, its text and the 1-based line of the heading in the file."""

    heading: str
    text: str
    line: int


@dataclass
class Document:
    """A parsed knowledge document."""

    meta: dict[str, Any]
    body: str
    sections: list[Section]
    path: str = ""
    field_lines: dict[str, int] = field(default_factory=dict)
    body_line: int = 1

    @property
    def id(self) -> str:
        return str(self.meta.get("id", ""))

    @property
    def type(self) -> str:
        return str(self.meta.get("type", ""))

    @property
    def title(self) -> str:
        return str(self.meta.get("title", ""))

    def section(self, heading: str) -> Section | None:
        """The section with this heading, if any."""
        return next((s for s in self.sections if s.heading == heading), None)


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _FrontMatterLoader(_BaseLoader):
    """A safe YAML loader that keeps dates as text, so a bad date is a field problem, not a crash."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _structure_problem(front: str, name: str) -> Problem | None:
    """Reject YAML anchors/aliases (an alias bomb expands to gigabytes) and deep nesting, scanning events only.

    Events are read without building anything, so a hostile front matter costs time linear in its length.
    """
    depth = 0
    try:
        for event in yaml.parse(front, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return Problem(
                    name,
                    2 + event.start_mark.line,
                    "front matter",
                    "前置信息不能使用 YAML 锚点（&）或别名（*），请把取值直接写出来",
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_FRONT_MATTER_DEPTH:
                    return Problem(
                        name,
                        2 + event.start_mark.line,
                        "front matter",
                        f"前置信息嵌套过深（超过 {MAX_FRONT_MATTER_DEPTH} 层）",
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # reported with its line by the loader
    return None


def _field_lines(front: str, first_line: int) -> dict[str, int]:
    """Map each top-level front-matter key to its 1-based line in the file."""
    try:
        node = yaml.compose(front, Loader=_BaseLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): first_line + key.start_mark.line for key, _ in node.value if isinstance(key, yaml.ScalarNode)
    }


def split_sections(body: str, first_line: int = 1) -> list[Section]:
    """Split a Markdown body into `##` sections; text before the first heading becomes 概述."""
    sections: list[Section] = []
    heading, start, buf = INTRO_SECTION, first_line, []
    in_code = False
    for offset, raw in enumerate(body.splitlines()):
        if raw.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(raw)
        if match:
            text = "\n".join(buf).strip()
            if text or heading != INTRO_SECTION:
                sections.append(Section(heading, text, start))
            heading, start, buf = match.group("title").strip(), first_line + offset, []
        else:
            buf.append(raw)
    text = "\n".join(buf).strip()
    if text or heading != INTRO_SECTION:
        sections.append(Section(heading, text, start))
    return sections


def parse_document(text: str, path: str | Path = "") -> Document:
    """Parse the front matter and sections of one document.

    Raises :class:`DocumentError` when the front matter is missing or is not a YAML mapping.
    Schema checks are done separately by :mod:`knowledge.schema`.
    """
    name = str(path)
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise DocumentError([Problem(name, 1, "front matter", "the file must start with a '---' line")])
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == FRONT_MATTER_FENCE)
    except StopIteration:
        raise DocumentError(
            [Problem(name, 1, "front matter", "no closing '---' line after the front matter")]
        ) from None
    front = "\n".join(lines[1:end])
    if (problem := _structure_problem(front, name)) is not None:
        raise DocumentError([problem])
    try:
        meta = yaml.load(front, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 2 + mark.line if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise DocumentError([Problem(name, line, "front matter", f"invalid YAML: {reason[:QUOTE_LIMIT]}")]) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError([Problem(name, 2, "front matter", "must be a mapping of 'field: value' lines")])
    body = "\n".join(lines[end + 1 :])
    body_line = end + 2
    return Document(
        meta={str(k): v for k, v in meta.items()},
        body=body.strip("\n"),
        sections=split_sections(body, body_line),
        path=name,
        field_lines=_field_lines(front, 2),
        body_line=body_line,
    )


def render_document(meta: dict[str, Any], body: str) -> str:
    """Serialise front matter and body back into Markdown text."""
    meta = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in meta.items()}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1000)
    return f"{FRONT_MATTER_FENCE}\n{front}{FRONT_MATTER_FENCE}\n\n{body.strip()}\n"
