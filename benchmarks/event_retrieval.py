"""Life-event routing at the knowledge-service level (no Rasa): ``python -m benchmarks.event_retrieval``.

On one split of ``tests/data/event_routing.tsv`` (``dev`` by default; ``heldout*`` for final reporting only):
event-routing precision and recall (a question routed to an event must name the expected one) and the share of
single-service questions wrongly sent to an event. On the dev splits of the fact and out-of-scope sets: the share
answered from the expected document, and the share sent to an event, to see that events leave guides alone.
``--index`` compares another index (e.g. one built without events).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.answers import read_rows
from govbot.answering.answerer import EVENT, Answerer
from govbot.components import make_searcher
from govbot.settings import PROJECT_ROOT, get_settings
from knowledge.service_catalogue import load_catalogue

DATA = PROJECT_ROOT / "tests" / "data"


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def routing(answerer: Answerer, split: str) -> dict:
    """Precision and recall of routing to events, and single-service questions sent to an event. Misses name
    rows by number, not by their question (aliases are written without reading the set)."""
    rows = read_rows(DATA / "event_routing.tsv", split)
    _, data = answerer.searcher.data()
    hits, routed, events, services_routed, within_events, misses = 0, 0, 0, [], [], []
    for line, row in enumerate(rows, start=1):
        result = answerer.answer(row["question"])
        is_event = data.documents.get(row["expected"], {}).get("type") == EVENT
        to_event = result.decision == EVENT
        hit = to_event and is_event and result.doc_id == row["expected"]
        hits, routed, events = hits + hit, routed + to_event, events + is_event
        if is_event:  # as the dialogue asks when its NLU says "life event": events only
            within_events.append(answerer.answer(row["question"], kinds=(EVENT,)).doc_id == row["expected"])
        else:
            services_routed.append(to_event)
        if to_event != is_event or (is_event and not hit):
            misses.append(
                {"line": line, "expected": row["expected"], "got": result.doc_id, "decision": result.decision}
            )
    return {
        "n": len(rows),
        "precision": round(hits / routed, 4) if routed else None,
        "recall": round(hits / events, 4) if events else None,
        "services_sent_to_event": _share(services_routed),
        "event_questions_right_with_kinds_event": _share(within_events),
        "misses": misses,
    }


def guides(answerer: Answerer) -> dict:
    """On the retrieval questions (dev_questions.tsv) and the dev fact and out-of-scope questions: the share
    answered from the right document, and the share sent to an event."""
    facts = read_rows(DATA / "fact_questions.tsv", "dev")
    outside = read_rows(DATA / "out_of_scope_questions.tsv", "dev")
    services = read_rows(DATA / "dev_questions.tsv")
    service_results = [answerer.answer(r["question"]) for r in services]
    fact_results = [answerer.answer(r["question"]) for r in facts]
    outside_results = [answerer.answer(r["question"]) for r in outside]
    return {
        "fact_right_document": _share([a.doc_id == r["doc_id"] for a, r in zip(fact_results, facts, strict=True)]),
        "fact_sent_to_event": _share([a.decision == EVENT for a in fact_results]),
        "service_right_document": _share(
            [a.doc_id == r["expected_id"] for a, r in zip(service_results, services, strict=True)]
        ),
        "service_sent_to_event": _share([a.decision == EVENT for a in service_results]),
        "out_of_scope_sent_to_event": _share([a.decision == EVENT for a in outside_results]),
        "n_facts": len(facts),
        "n_out_of_scope": len(outside),
        "n_services": len(services),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split", default="dev", choices=("dev", "dev2", "dev3", "heldout1", "heldout2", "heldout3", "heldout4")
    )
    parser.add_argument("--index", type=Path, default=None, help="index folder (default: the configured one)")
    parser.add_argument("--skip-guides", action="store_true", help="only the routing set")
    args = parser.parse_args()
    settings = get_settings()
    searcher = make_searcher(args.index, settings)
    answerer = Answerer(
        searcher, settings.scope_rule, settings.event_confidence, load_catalogue(settings.service_catalogue)
    )
    report = {"routing": routing(answerer, args.split)}
    if not args.skip_guides:
        report["guides"] = guides(answerer)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
