"""`make bench`: every measured figure of the project in one run; results also in var/bench/results.json."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks import answers, dialogue, retrieval, staff, web
from benchmarks.report import Report
from govbot.settings import get_settings
from tests.conftest import copy_index
from tests.stack import Stack


def main() -> None:
    os.environ.setdefault("GOVBOT_RATE_SEARCH", "off")  # latency under load is measured without rate limits
    settings = get_settings()
    report = Report()
    retrieval.run(report, settings)
    with tempfile.TemporaryDirectory() as folder:
        var_dir = Path(folder) / "var"
        copy_index(settings.index_dir, var_dir / "index")
        stack = Stack(var_dir)
        stack.start()
        try:
            dialogue.run(report, settings, stack)
            answers.run(report, stack)
            web.run(report, stack)
            staff.run(report, stack)
        finally:
            stack.stop()
    report.save(settings.var_dir / "bench" / "results.json")


if __name__ == "__main__":
    main()
