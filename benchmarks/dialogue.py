"""Dialogue benchmarks: training time, NLU F1, REST latency per message, throughput, form completion."""

from __future__ import annotations

import json
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx

from benchmarks.report import Report, percentiles
from benchmarks.retrieval_eval import load_dev_questions
from govbot.rasa_model import latest_model, train_command
from govbot.settings import PROJECT_ROOT, Settings
from tests.stack import Stack

RASA = str(Path(__import__("sys").executable).with_name("rasa"))
FOLLOWUPS = ("那要多少钱？", "在哪里办？", "要多久？", "需要什么材料？")
USERS, MESSAGES_PER_USER = 8, 25
BUSINESS_FORM = ("我们公司能享受哪些政策？", "制造业", "30来个人", "五百万左右", "两年", "否", "是")
PERSON_FORM = ("我能领什么补助", "我今年68岁", "退休", "退休人员", "没有")


def training_time(report: Report) -> None:
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        subprocess.run(train_command(Path(folder)), cwd=PROJECT_ROOT, check=True, capture_output=True)
        report.add("dialogue", "training_seconds", round(time.perf_counter() - started, 1))


def nlu_f1(report: Report, settings: Settings) -> None:
    model = latest_model(settings.rasa_model_dir)
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(
            [RASA, "test", "nlu", "--nlu", "tests/data/nlu_holdout.yml", "--model", str(model), "--out", folder],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
        )
        intents = json.loads((Path(folder) / "intent_report.json").read_text("utf-8"))
    report.add("dialogue", "nlu_heldout_intent_f1_weighted", round(intents["weighted avg"]["f1-score"], 3))
    report.add("dialogue", "nlu_heldout_intent_f1_macro", round(intents["macro avg"]["f1-score"], 3))


def _messages(count: int) -> list[tuple[str, str]]:
    questions = [q.question for q in load_dev_questions()]
    plan = []
    for n in range(count):
        sender = f"bench-{n // 5}"
        plan.append((sender, questions[n // 5 % len(questions)] if n % 5 == 0 else FOLLOWUPS[n % 4]))
    return plan


def rest_latency(report: Report, stack: Stack) -> None:
    samples = []
    with httpx.Client(timeout=30) as client:
        for sender, message in _messages(220):
            started = time.perf_counter()
            client.post(f"{stack.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
            samples.append((time.perf_counter() - started) * 1000)
    report.add("dialogue", "rest_latency_per_message", percentiles(samples))


def throughput(report: Report, stack: Stack) -> None:
    plan = _messages(USERS * MESSAGES_PER_USER)
    errors: list[str] = []

    def user(index: int) -> None:
        with httpx.Client(timeout=60) as client:
            for sender, message in plan[index::USERS]:
                response = client.post(
                    f"{stack.rasa_url}/webhooks/rest/webhook",
                    json={"sender": f"load-{index}-{sender}", "message": message},
                )
                if response.status_code != 200:
                    errors.append(str(response.status_code))

    threads = [threading.Thread(target=user, args=(i,)) for i in range(USERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    report.add(
        "dialogue",
        "throughput_8_users",
        {
            "messages": len(plan),
            "seconds": round(elapsed, 1),
            "messages_per_second": round(len(plan) / elapsed, 1),
            "errors": len(errors),
        },
    )


def form_completion(report: Report, stack: Stack) -> None:
    for name, script in (("business", BUSINESS_FORM), ("person", PERSON_FORM)):
        started = time.perf_counter()
        replies = [stack.send(f"form-{name}", message) for message in script]
        done = any("为您找到" in m.get("text", "") for m in replies[-1])
        report.add(
            "policy_form",
            f"{name}_completion",
            {"user_messages": len(script), "completed": done, "seconds": round(time.perf_counter() - started, 2)},
        )


def run(report: Report, settings: Settings, stack: Stack) -> None:
    nlu_f1(report, settings)
    rest_latency(report, stack)
    throughput(report, stack)
    form_completion(report, stack)
    training_time(report)
