"""Load test with locust (headless, bounded in time and messages): msg/s and p50/p95/p99 at 1, 8 and 32 users,
the per-message time split between NLU, retrieval and the rest, and latency early and late in one conversation.

Locust runs in its own process (it monkey-patches the standard library with gevent). A :class:`LoadTarget` is
any base URL serving the app's paths, so another deployment can be measured the same way.
"""

from __future__ import annotations

import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from benchmarks.report import Report
from govbot.settings import PROJECT_ROOT
from index.query_vector import PARSE_KEY
from tests.stack import Stack

LOCUST = str(Path(sys.executable).with_name("locust"))
LOCUSTFILE = Path(__file__).resolve().with_name("locustfile.py")
USER_COUNTS = (1, 8, 32)
RUN_SECONDS = 30
MESSAGES_PER_USER = 150
SPLIT_QUESTIONS = ("身份证丢了怎么补办", "护照要带什么材料", "公积金怎么提取", "社保卡怎么申领", "营业执照怎么办理")
LONG_CONVERSATION = 60
LONG_MESSAGES = ("身份证丢了怎么补办", "那要多少钱？", "在哪里办？", "要多久？", "需要什么材料？")


@dataclass(frozen=True)
class LoadTarget:
    """Where the load goes: a base URL with the app's public paths (``/api/chat``)."""

    name: str
    base_url: str


def _load_average() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system, children included) each named process has used so far."""
    used = {}
    for name, pid in pids.items():
        times = psutil.Process(pid).cpu_times()
        used[name] = times.user + times.system + times.children_user + times.children_system
    return used


def run_locust(
    target: LoadTarget,
    users: int,
    seconds: int = RUN_SECONDS,
    messages: int = MESSAGES_PER_USER,
    pids: dict[str, int] | None = None,
) -> dict:
    """One headless locust run; the aggregated figures of its CSV summary. With the ``pids`` of the serving
    processes, also their CPU time per message: on a shared machine a steadier figure than messages/s."""
    with tempfile.TemporaryDirectory() as folder:
        prefix = Path(folder) / "load"
        command = [
            LOCUST,
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--only-summary",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--stop-timeout",
            "10",
            "--host",
            target.base_url,
            "--csv",
            str(prefix),
            "--loglevel",
            "WARNING",
        ]
        load_before, cpu_before = _load_average(), cpu_seconds(pids or {})
        env = {**os.environ, "GOVBOT_LOAD_MESSAGES": str(messages)}
        subprocess.run(command, cwd=PROJECT_ROOT, env=env, check=False, capture_output=True, timeout=seconds + 60)
        with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "Aggregated")
    count = max(1, int(row["Request Count"]))
    cpu = {name: round((used - cpu_before[name]) * 1000 / count, 1) for name, used in cpu_seconds(pids or {}).items()}
    return {
        "users": users,
        "messages": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "messages_per_second": round(float(row["Requests/s"]), 1),
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "load_average_before": load_before,
        "load_average_after": _load_average(),
        **({"cpu_ms_per_message": round(sum(cpu.values()), 1), "cpu_ms_per_message_by_process": cpu} if cpu else {}),
    }


def run_target(
    report: Report, target: LoadTarget, user_counts: tuple[int, ...] = USER_COUNTS, pids: dict[str, int] | None = None
) -> None:
    """Warm the target up, then one bounded locust run per user count."""
    run_locust(target, users=2, seconds=5, messages=5)
    for users in user_counts:
        report.add("load", f"{target.name}_{users}_users", run_locust(target, users, pids=pids))


def stack_pids(stack: Stack) -> dict[str, int]:
    """The stack's processes by service name (every Rasa worker)."""
    names = sorted(path.stem for path in (stack.var_dir / "logs").glob("*.pid"))
    return {name: stack.service_pid(name) for name in names}


def warm_up(stack: Stack) -> None:
    """A few messages first: the first predictions of a fresh stack compile and load lazily."""
    with httpx.Client(timeout=180) as client:
        for n, question in enumerate(SPLIT_QUESTIONS):
            client.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": f"warm-{n}", "message": question})


def _elapsed_ms(client: httpx.Client, url: str, **request: object) -> float:
    started = time.perf_counter()
    client.post(url, **request).raise_for_status()
    return (time.perf_counter() - started) * 1000


def time_split(report: Report, stack: Stack, repeat: int = 3) -> None:
    """Where one knowledge message's time goes: Rasa's NLU (``/model/parse``), the knowledge service's
    ``/answer`` (retrieval and answer composition), and the rest (dialogue policies, tracker store, action
    server, HTTP), each the median of ``repeat`` runs per question on an otherwise idle stack."""
    parse, answer = f"{stack.rasa_url}/model/parse", f"{stack.app_url}/answer"
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    totals = {"nlu": 0.0, "retrieval": 0.0, "total": 0.0}
    with httpx.Client(timeout=30) as client:
        for n, question in enumerate(SPLIT_QUESTIONS):
            runs: dict[str, list[float]] = {name: [] for name in totals}
            for attempt in range(repeat):
                sender = f"split-{n}-{attempt}-{time.time()}"
                token = {"token": stack.rasa_token}
                started = time.perf_counter()
                parsed = client.post(parse, params=token, json={"text": question}).json()
                runs["nlu"].append((time.perf_counter() - started) * 1000)
                body = {"question": question, "sender": sender, "channel": "rest", "script": "hans"}
                if PARSE_KEY in parsed:  # as the answering action sends it
                    body["query_vector"] = parsed[PARSE_KEY]
                runs["retrieval"].append(_elapsed_ms(client, answer, json=body, headers=stack.internal_headers))
                runs["total"].append(_elapsed_ms(client, webhook, json={"sender": sender, "message": question}))
            for name, samples in runs.items():
                totals[name] += statistics.median(samples)
    rest = max(0.0, totals["total"] - totals["nlu"] - totals["retrieval"])
    report.add(
        "load",
        "time_split_one_message",
        {
            "total_ms": round(totals["total"] / len(SPLIT_QUESTIONS), 1),
            "nlu_share": round(totals["nlu"] / totals["total"], 2),
            "retrieval_share": round(totals["retrieval"] / totals["total"], 2),
            "rest_share": round(rest / totals["total"], 2),
        },
    )


def conversation_growth(report: Report, stack: Stack) -> None:
    """Latency of one conversation's turns 1-5 and 56-60 (medians): the tracker must not grow the cost."""
    samples = []
    with httpx.Client(timeout=30) as client:
        sender = f"long-{time.time()}"
        for turn in range(LONG_CONVERSATION):
            message = LONG_MESSAGES[turn % len(LONG_MESSAGES)]
            started = time.perf_counter()
            client.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
            samples.append((time.perf_counter() - started) * 1000)
    report.add(
        "load",
        "conversation_turn_latency",
        {
            "turns_1_5_median_ms": round(statistics.median(samples[:5]), 1),
            "turns_56_60_median_ms": round(statistics.median(samples[-5:]), 1),
        },
    )


def run(report: Report, stack: Stack) -> None:
    """The single-machine stack (``GOVBOT_RATE_CHAT`` must be off for it)."""
    warm_up(stack)
    time_split(report, stack)
    conversation_growth(report, stack)
    run_target(report, LoadTarget("single_machine", stack.app_url), pids=stack_pids(stack))


def main() -> None:
    """Measure a running deployment: ``python -m benchmarks.load --url http://127.0.0.1:8080 --name cluster``
    (start it with ``GOVBOT_RATE_CHAT=off``, or its chat rate limit refuses the load)."""
    import argparse

    from govbot.settings import get_settings

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--url", required=True, help="base URL serving the app's paths")
    parser.add_argument("--name", default="target", help="name of the figures in the report")
    args = parser.parse_args()
    report = Report()
    run_target(report, LoadTarget(args.name, args.url.rstrip("/")))
    report.save(get_settings().var_dir / "bench" / f"load_{args.name}.json")


if __name__ == "__main__":
    main()
