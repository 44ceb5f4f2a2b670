"""The plan of a life event: its steps in order with where and how long, one merged materials list, the total
time, the conditional steps still to ask, the source and the offers that follow. Built from snapshot records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from govbot.answering.citation import source_of
from govbot.events.guide_facts import Duration, duration_of, materials_of, where_of
from knowledge.document import INTRO_SECTION

EVENT = "event"  # the document type of a life event
PERSON_AUDIENCES = ("个人", "老年人", "残疾人", "困难群众", "家长", "高校毕业生")


class UnknownEvent(LookupError):
    """No event with this id in the served snapshot."""


def _sections(record: Mapping[str, Any]) -> dict[str, str]:
    return {s["heading"]: s["text"] for s in record.get("sections", [])}


def expand_steps(documents: Mapping[str, Mapping[str, Any]], event_id: str) -> list[dict[str, Any]]:
    """The event's guide steps in order, included events' steps in their place (each event once, guides that
    are missing from the snapshot left out)."""
    record = documents.get(event_id)
    if record is None or record.get("type") != EVENT:
        raise UnknownEvent(event_id)
    steps: list[dict[str, Any]] = []

    def walk(current: str, seen: tuple[str, ...]) -> None:
        for step in documents[current].get("steps") or []:
            included = step.get("event")
            if included:
                if included not in seen and documents.get(included, {}).get("type") == EVENT:
                    walk(included, (*seen, included))
            elif documents.get(step.get("guide"), {}).get("type") == "guide":
                steps.append(step)

    walk(event_id, (event_id,))
    return steps


def scope_record(documents: Mapping[str, Mapping[str, Any]], event_id: str) -> dict[str, Any]:
    """The event's record as the answerability check reads it: an event covers what its steps' guides cover,
    so their titles, aliases and keywords join its own, and their sections its sections."""
    record = dict(documents[event_id])
    guides = [documents[step["guide"]] for step in expand_steps(documents, event_id)]
    record["aliases"] = [*record.get("aliases", []), *(g["title"] for g in guides)]
    record["aliases"] += [a for g in guides for a in g.get("aliases", [])]
    record["keywords"] = [*record.get("keywords", []), *(k for g in guides for k in g.get("keywords", []))]
    record["sections"] = [*record.get("sections", []), *(s for g in guides for s in g.get("sections", []))]
    record["scope"] = "steps"  # not the event's own text: the answerability check caches the two apart
    return record


def total_time(durations: list[Duration | None]) -> str:
    """The steps' durations added up, in honest words: only what the guides state is counted."""
    known = [d.days for d in durations if d is not None and d.days is not None]
    if not known:
        return "以各事项办理时限为准"
    days = sum(known)
    text = "各事项均可当场办结" if days == 0 else f"约 {days} 个工作日"
    return text if len(known) == len(durations) else f"{text}（部分事项以其办理时限为准）"


def _offers(record: Mapping[str, Any]) -> dict[str, Any]:
    audience = record.get("audience") or []
    match = "企业" if "企业" in audience else "个人" if any(a in PERSON_AUDIENCES for a in audience) else None
    return {"policy_match": match, "subscription_topics": list(record.get("tags") or [])}


def build_plan(
    documents: Mapping[str, Mapping[str, Any]], event_id: str, conditions: Mapping[str, bool | None] | None = None
) -> dict[str, Any]:
    """The plan of ``event_id`` given the conditional steps answered so far (``{"4": false}``: step 4 does not
    apply; ``None``: skipped, it stays in the plan and is not asked again). Raises :class:`UnknownEvent`."""
    conditions = conditions or {}
    record = documents.get(event_id)
    steps, pending, durations = [], [], []
    merged: dict[str, dict[str, Any]] = {}
    for number, step in enumerate(expand_steps(documents, event_id), start=1):
        guide = documents[step["guide"]]
        sections = _sections(guide)
        condition = step.get("condition")
        answered = str(number) in conditions
        applies = not (condition and answered and conditions[str(number)] is False)
        duration = duration_of(sections.get("办理时限", ""))
        materials = materials_of(sections.get("申请材料", ""))
        steps.append(
            {
                "number": number,
                "guide_id": step["guide"],
                "title": guide["title"],
                "where": where_of(sections.get("办理地点", "")),
                "duration": duration.text if duration else None,
                "condition": condition,
                "ask": step.get("ask"),
                "notes": step.get("notes"),
                "applies": applies,
                "materials": [m.name for m in materials],
            }
        )
        if condition and not answered:
            pending.append({"number": number, "ask": step.get("ask"), "condition": condition})
        if not applies:
            continue
        durations.append(duration)
        for material in materials:
            entry = merged.setdefault(material.key, {"name": material.name, "steps": [], "conditional": True})
            if number not in entry["steps"]:
                entry["steps"].append(number)
            if material.condition is None and entry["conditional"]:
                entry.update(name=material.key, conditional=False)
    assert record is not None  # expand_steps raised otherwise
    ordered = sorted(merged.values(), key=lambda m: (m["conditional"], m["steps"][0]))
    return {
        "event_id": event_id,
        "title": record["title"],
        "summary": _sections(record).get(INTRO_SECTION, ""),
        "steps": steps,
        "pending": pending,
        "materials": [{"name": m["name"], "steps": m["steps"]} for m in ordered],
        "total_time": total_time(durations),
        "source": source_of(record),
        "offers": _offers(record),
    }
