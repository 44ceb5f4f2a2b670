"""Locust users for `benchmarks.load`: each user chats back to back through the web chat endpoint.

A user holds a short conversation (a question, then follow-ups), then starts a new one with a fresh session
cookie, and stops after ``GOVBOT_LOAD_MESSAGES`` messages. Paths are the public app's, so the same file
targets the single-machine app or anything that serves the same paths (``--host``).
"""

from __future__ import annotations

import csv
import itertools
import os
from pathlib import Path

from locust import HttpUser, constant, task
from locust.exception import StopUser

QUESTIONS_FILE = Path(__file__).resolve().parent.parent / "tests" / "data" / "dev_questions.tsv"
FOLLOWUPS = ("那要多少钱？", "在哪里办？", "要多久？", "需要什么材料？")
CONVERSATION = 5  # messages per conversation: one question, then follow-ups
MESSAGES = int(os.environ.get("GOVBOT_LOAD_MESSAGES", "50"))
CHAT_PATH = os.environ.get("GOVBOT_LOAD_CHAT_PATH", "/api/chat")

with open(QUESTIONS_FILE, encoding="utf-8") as _handle:
    QUESTIONS = [row["question"] for row in csv.DictReader(_handle, delimiter="\t")]
_user_numbers = itertools.count()


class ChatUser(HttpUser):
    """One citizen typing as fast as the answers come (no think time)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_user_numbers)
        self.sent = 0

    @task
    def message(self) -> None:
        if self.sent >= MESSAGES:
            raise StopUser()
        turn = self.sent % CONVERSATION
        if turn == 0:
            self.client.cookies.clear()  # a new conversation: a new session
            conversation = self.number * 1000 + self.sent // CONVERSATION
            text = QUESTIONS[conversation * 7 % len(QUESTIONS)]
        else:
            text = FOLLOWUPS[turn % len(FOLLOWUPS)]
        self.sent += 1
        with self.client.post(CHAT_PATH, json={"message": text}, name="chat", catch_response=True) as response:
            if response.status_code != 200 or not response.json():
                response.failure(f"HTTP {response.status_code}")
