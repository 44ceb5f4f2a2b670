"""Collect benchmark figures, print them as they come, and save them as JSON."""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    array = np.asarray(samples_ms, dtype=float)
    return {
        "p50_ms": round(float(np.percentile(array, 50)), 1),
        "p95_ms": round(float(np.percentile(array, 95)), 1),
        "n": int(array.size),
    }


class Report:
    """Named sections of figures."""

    def __init__(self) -> None:
        self.sections: dict[str, dict] = {}
        self.started = time.time()

    def add(self, section: str, name: str, value: object) -> None:
        self.sections.setdefault(section, {})[name] = value
        print(f"[{section}] {name}: {value}", flush=True)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        machine = {
            "python": platform.python_version(),
            "machine": platform.machine(),
            "cpus": __import__("os").cpu_count(),
        }
        payload = {"machine": machine, "seconds": round(time.time() - self.started, 1), **self.sections}
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=1), "utf-8")
        print(f"saved {path}")
