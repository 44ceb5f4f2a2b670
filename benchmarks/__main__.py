"""`make bench`: every measured figure of the project in one run; results also in var/bench/results.json."""

from __future__ import annotations

import os

from benchmarks import answers, dialogue, events, load, retrieval, staff, web
from benchmarks.report import Report
from govbot.settings import get_settings
from tests.stack import temporary_stack


def main() -> None:
    os.environ.setdefault("GOVBOT_RATE_SEARCH", "off")  # latency under load is measured without rate limits
    os.environ.setdefault("GOVBOT_RATE_CHAT", "off")
    settings = get_settings()
    report = Report()
    retrieval.run(report, settings)
    with temporary_stack(settings.index_dir, rasa_workers=None) as stack:  # the profile `make run` starts
        dialogue.run(report, settings, stack)
        load.run(report, stack)
        answers.run(report, stack)
        events.run(report, stack)
        web.run(report, stack)
        staff.run(report, stack)
    report.save(settings.var_dir / "bench" / "results.json")


if __name__ == "__main__":
    main()
