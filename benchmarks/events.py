"""Life-event routing through the running bot (issue 12), on tests/data/event_routing.tsv.

Each question goes to Rasa's REST channel as a new conversation; the bot routed it to an event when its reply
carries an ``event`` payload. Per split (dev, dev2, dev3; heldout1-4 are never used for tuning): event-routing
precision (routed to an event, and to the right one) and recall over the event questions, and the share of
single-service questions wrongly sent to an event. ``python -m benchmarks.events`` runs it alone.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks.report import Report
from knowledge.loader import load_kb
from tests.conftest import SAMPLE_KB
from tests.stack import Stack

ROUTING_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "event_routing.tsv"
# The events are whatever the sample knowledge base holds as `type: event` documents.
EVENT_IDS = frozenset(d.meta["id"] for d in load_kb(SAMPLE_KB).documents if d.meta.get("type") == "event")


@dataclass(frozen=True)
class RoutingQuestion:
    split: str
    expected: str
    question: str

    @property
    def is_event(self) -> bool:
        return self.expected in EVENT_IDS


def load_routing_set(path: Path = ROUTING_SET) -> list[RoutingQuestion]:
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [RoutingQuestion(r["split"], r["expected"], r["question"]) for r in rows]


def routed_event(messages: list[dict]) -> str | None:
    """The event a reply started, from its structure."""
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("kind") == "event":
            return custom.get("event_id")
    return None


def routing_figures(questions: list[RoutingQuestion], routed: list[str | None]) -> dict[str, float | int]:
    """Precision and recall of event routing, and the share of single-service questions sent to an event."""
    pairs = list(zip(questions, routed, strict=True))
    sent = [(q, r) for q, r in pairs if r is not None]
    right = sum(1 for q, r in sent if r == q.expected)
    events = sum(1 for q in questions if q.is_event)
    services = [r for q, r in pairs if not q.is_event]
    return {
        "precision": round(right / len(sent), 3) if sent else 0.0,
        "recall": round(right / events, 3) if events else 0.0,
        "single_service_sent_to_event": round(sum(r is not None for r in services) / len(services), 3)
        if services
        else 0.0,
        "event_questions": events,
        "single_service_questions": len(services),
    }


def run(report: Report, stack: Stack) -> None:
    questions = load_routing_set()
    routed: list[str | None] = []
    misses: list[str] = []
    with httpx.Client(timeout=60) as client:
        for number, question in enumerate(questions):
            response = client.post(
                f"{stack.rasa_url}/webhooks/rest/webhook",
                json={"sender": f"bench-event-{number}", "message": question.question},
            )
            response.raise_for_status()
            routed.append(routed_event(response.json()))
            wrong = (routed[-1] or None) != (question.expected if question.is_event else None)
            if wrong and not question.split.startswith("heldout"):  # heldout misses are never shown: they would tune
                misses.append(f"{question.split}\t{question.expected}\t{routed[-1]}\t{question.question}")
    for split in sorted({q.split for q in questions}):
        chosen = [(q, r) for q, r in zip(questions, routed, strict=True) if q.split == split]
        report.add("events", f"routing_{split}", routing_figures([q for q, _ in chosen], [r for _, r in chosen]))
    report.add("events", "routing_all", routing_figures(questions, routed))
    report.add("events", "misrouted", misses)


def main() -> None:
    from govbot.settings import get_settings
    from tests.stack import temporary_stack

    os.environ.setdefault("GOVBOT_RATE_SEARCH", "off")
    settings = get_settings()
    report = Report()
    with temporary_stack(settings.index_dir) as stack:
        run(report, stack)
    report.save(settings.var_dir / "bench" / "events.json")


if __name__ == "__main__":
    main()
