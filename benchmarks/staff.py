"""Staff-tool benchmarks: edit-to-answer time, search latency during edits, analytics over 100,000 events."""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import threading
import time

import httpx

from benchmarks.report import Report, percentiles
from govbot.admin.analytics import analytics
from govbot.storage.database import get_engine
from govbot.storage.models import AnswerEvent
from tests.stack import Stack, texts

EDITS = 20
EVENTS = 100_000


def _token(stack: Stack) -> dict:
    token = (stack.var_dir / "admin_tokens").read_text().split("\n")[1].split()[1]
    return {"Authorization": f"Bearer {token}"}


def _put(stack: Stack, doc_id: str, text: str, headers: dict) -> httpx.Response:
    """Save a document as staff do: with If-Match, the ETag of the version just read."""
    url = f"{stack.app_url}/admin/documents/{doc_id}"
    current = httpx.get(url, headers=headers, timeout=60)
    current.raise_for_status()
    return httpx.put(url, content=text.encode(), headers={**headers, "If-Match": current.headers["ETag"]}, timeout=60)


def edit_to_answer(report: Report, stack: Stack) -> None:
    headers = _token(stack)
    original = (stack.kb_dir / "passport.md").read_text("utf-8")
    samples = []
    for n in range(EDITS):
        fee = f"{200 + n}元"
        started = time.perf_counter()
        _put(stack, "passport", original.replace("120元", fee), headers).raise_for_status()
        while fee not in texts(stack.send(f"edit-{n}", "办护照要多少钱")):
            time.sleep(0.05)
        samples.append((time.perf_counter() - started) * 1000)
    _put(stack, "passport", original, headers).raise_for_status()
    report.add("staff", "put_to_bot_answer", percentiles(samples))


def search_during_edits(report: Report, stack: Stack) -> None:
    headers = _token(stack)
    original = (stack.kb_dir / "vehicle-inspection.md").read_text("utf-8")

    def measure(seconds: float) -> list[float]:
        samples, end = [], time.monotonic() + seconds
        with httpx.Client(timeout=30) as client:
            while time.monotonic() < end:
                started = time.perf_counter()
                client.get(f"{stack.app_url}/search", params={"q": "社保卡丢了怎么补办"}).raise_for_status()
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    report.add("staff", "search_latency_idle", percentiles(measure(8)))
    stop = threading.Event()
    edits = {"n": 0}

    def editor() -> None:
        while not stop.is_set():
            edits["n"] += 1
            text = original + f"\n\n（第{edits['n']}次修订）\n"
            _put(stack, "vehicle-inspection", text, headers)

    thread = threading.Thread(target=editor)
    thread.start()
    busy = measure(15)
    stop.set()
    thread.join()
    report.add("staff", "search_latency_during_edits", {**percentiles(busy), "edits": edits["n"]})


def analytics_at_scale(report: Report) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        engine = get_engine(url)
        rng = random.Random(7)
        now = dt.datetime(2026, 11, 26)
        decisions = ["answer"] * 7 + ["clarify"] * 2 + ["fallback"]
        rows = [
            {
                "created_at": now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
                "sender": f"s{rng.randint(0, 5000)}",
                "channel": rng.choice(["rest", "plaintext", "web"]),
                "question": "示例问题",
                "decision": rng.choice(decisions),
                "doc_id": f"doc-{rng.randint(0, 60)}",
                "section": "办理流程",
                "confidence": rng.random(),
                "latency_ms": rng.uniform(20, 200),
            }
            for _ in range(EVENTS)
        ]
        with engine.begin() as connection:
            connection.execute(AnswerEvent.__table__.insert(), rows)
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            figures = analytics(url, dt.date(2026, 10, 27), dt.date(2026, 11, 26))
            samples.append((time.perf_counter() - started) * 1000)
        report.add("staff", "analytics_100k_events", {**percentiles(samples), "messages": figures["messages"]})


def run(report: Report, stack: Stack) -> None:
    edit_to_answer(report, stack)
    search_during_edits(report, stack)
    analytics_at_scale(report)
