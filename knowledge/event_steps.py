"""Events across documents: every step names an existing guide, included events exist, and includes never loop."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from knowledge.document import Document
from knowledge.problems import Problem


@dataclass(frozen=True)
class Catalogue:
    """What cross-document checks need to know of every document: its type, and its steps if it is an event."""

    types: Mapping[str, str]
    steps: Mapping[str, list[Any]]

    @classmethod
    def of(cls, documents: Iterable[Document]) -> Catalogue:
        documents = list(documents)
        return cls(
            types={d.id: d.type for d in documents},
            steps={d.id: d.meta.get("steps") or [] for d in documents if d.type == "event"},
        )

    def including(self, doc: Document) -> Catalogue:
        """This catalogue with ``doc`` added or replacing its previous version."""
        steps = {k: v for k, v in self.steps.items() if k != doc.id}
        if doc.type == "event":
            steps[doc.id] = doc.meta.get("steps") or []
        return Catalogue({**self.types, doc.id: doc.type}, steps)

    def without(self, doc_id: str) -> Catalogue:
        return Catalogue(
            {k: v for k, v in self.types.items() if k != doc_id}, {k: v for k, v in self.steps.items() if k != doc_id}
        )

    def referring_to(self, doc_id: str) -> list[str]:
        """The events with a step that names ``doc_id``."""
        return [
            event
            for event, steps in self.steps.items()
            if any(isinstance(s, dict) and doc_id in (s.get("guide"), s.get("event")) for s in steps)
        ]


def _cycle(start: str, catalogue: Catalogue) -> list[str] | None:
    """A path of ``event:`` includes from ``start`` back to an event already on the path, if there is one."""

    def visit(event: str, path: list[str]) -> list[str] | None:
        for step in catalogue.steps.get(event, []):
            target = step.get("event") if isinstance(step, dict) else None
            if target is None or catalogue.types.get(target) != "event":
                continue
            if target in path:
                return [*path[path.index(target) :], target]
            if (found := visit(target, [*path, target])) is not None:
                return found
        return None

    return visit(start, [start])


def reference_problems(event_id: str, path: str, line: int, catalogue: Catalogue) -> list[Problem]:
    """The problems of one event's step references, given every document's type (empty when fine)."""
    problems = []
    for number, step in enumerate(catalogue.steps.get(event_id, []), start=1):
        if not isinstance(step, dict):
            continue
        if isinstance(guide := step.get("guide"), str):
            kind = catalogue.types.get(guide)
            if kind is None:
                problems.append(f"第 {number} 步引用的办事指南 {guide} 不存在")
            elif kind != "guide":
                problems.append(f"第 {number} 步引用的 {guide} 是 {kind} 类型，步骤只能引用办事指南（guide）")
        if isinstance(included := step.get("event"), str):
            kind = catalogue.types.get(included)
            if kind is None:
                problems.append(f"第 {number} 步包含的一件事 {included} 不存在")
            elif kind != "event":
                problems.append(f"第 {number} 步的 event 只能包含一件事（event），{included} 是 {kind} 类型")
    if (cycle := _cycle(event_id, catalogue)) is not None:
        problems.append(f"一件事之间的包含形成了循环：{' → '.join(cycle)}")
    return [Problem(path, line, "steps", message) for message in problems]


def _new_problems(events: Iterable[str], before: Catalogue, after: Catalogue) -> list[Problem]:
    """Reference problems of these events that ``after`` has and ``before`` had not."""
    problems = []
    for event in events:
        old = reference_problems(event, f"{event}.md", 0, before)
        problems += [p for p in reference_problems(event, f"{event}.md", 0, after) if p not in old]
    return problems


def document_reference_problems(doc: Document, catalogue: Catalogue) -> list[Problem]:
    """Reference problems of ``doc`` itself (when it is an event), and those that saving it would cause to the
    events naming it (a guide turned into a policy, say)."""
    after = catalogue.including(doc)
    problems = []
    if doc.type == "event":
        problems += reference_problems(doc.id, doc.path, doc.field_lines.get("steps", 1), after)
    return problems + _new_problems((e for e in after.referring_to(doc.id) if e != doc.id), catalogue, after)


def deletion_problems(doc_id: str, catalogue: Catalogue) -> list[Problem]:
    """The problems deleting ``doc_id`` would cause to the events naming it."""
    return _new_problems(
        (e for e in catalogue.referring_to(doc_id) if e != doc_id), catalogue, catalogue.without(doc_id)
    )
