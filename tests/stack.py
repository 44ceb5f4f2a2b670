"""The whole system (`govbot run`: knowledge service, action server, Rasa) on free ports, for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from govbot.settings import get_settings
from tests.conftest import SAMPLE_KB, copy_index
from tests.processes import BIN, free_port, free_ports, start, stop, wait_http

START_TIMEOUT = 400.0


@dataclass
class Stack:
    """A running govbot with its own var folder (index copy, tracker store, database, logs).

    ``rasa_workers`` is 1 unless given: each stack start then loads one Rasa model instead of two, which keeps
    the suite within its time on two cores. ``None`` runs the profile's default (``GOVBOT_RASA_WORKERS``).
    """

    var_dir: Path
    app_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    rasa_workers: int | None = 1
    process: subprocess.Popen | None = None
    rasa_port: int = 0

    def __post_init__(self) -> None:
        self.rasa_port = self.rasa_port or free_ports(self.rasa_workers or get_settings().rasa_workers)

    @property
    def kb_dir(self) -> Path:
        return self.var_dir / "kb"

    @property
    def env(self) -> dict[str, str]:
        return {
            "GOVBOT_VAR_DIR": str(self.var_dir),
            "GOVBOT_KB_DIR": str(self.kb_dir),
            "GOVBOT_APP_PORT": str(self.app_port),
            "GOVBOT_RASA_PORT": str(self.rasa_port),
            "GOVBOT_ACTIONS_PORT": str(self.actions_port),
            **({"GOVBOT_RASA_WORKERS": str(self.rasa_workers)} if self.rasa_workers else {}),
            **self.extra_env,
        }

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def database(self) -> Path:
        return self.var_dir / "govbot.db"

    def secret(self, name: str) -> str:
        """A secret `govbot run` generated into the var folder (rasa_token, internal_token, session_secret, ...)."""
        return (self.var_dir / "secrets" / name).read_text("utf-8").strip()

    @property
    def rasa_token(self) -> str:
        return self.secret("rasa_token")

    @property
    def internal_headers(self) -> dict[str, str]:
        return {"X-Govbot-Internal": self.secret("internal_token")}

    def start(self) -> None:
        self.var_dir.mkdir(parents=True, exist_ok=True)
        if not self.kb_dir.exists():
            shutil.copytree(SAMPLE_KB, self.kb_dir)
        self.process = start([str(BIN / "govbot"), "run"], self.env, self.var_dir / "run.log")
        deadline = time.monotonic() + START_TIMEOUT
        for url in (f"{self.app_url}/health", f"http://127.0.0.1:{self.actions_port}/health", f"{self.rasa_url}/"):
            wait_http(url, max(1.0, deadline - time.monotonic()), self.process)
        log = self.var_dir / "run.log"
        while "govbot is running" not in log.read_text(errors="replace"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-3000:])
            time.sleep(0.2)

    def wait_healthy(self, timeout: float = 120.0) -> None:
        """Wait until all three services answer again (e.g. after the supervisor restarted one)."""
        for url in (f"{self.app_url}/health", f"http://127.0.0.1:{self.actions_port}/health", f"{self.rasa_url}/"):
            wait_http(url, timeout, self.process)

    def stop(self) -> int:
        assert self.process is not None
        return stop(self.process, signal.SIGINT, timeout=60)

    def service_pid(self, name: str) -> int:
        return int((self.var_dir / "logs" / f"{name}.pid").read_text())

    def signal_service(self, name: str, sig: int) -> None:
        os.killpg(self.service_pid(name), sig)

    def send(self, sender: str, message: str, channel: str = "rest", timeout: float = 30.0) -> list[dict]:
        response = httpx.post(
            f"{self.rasa_url}/webhooks/{channel}/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return response.json()


def texts(messages: list[dict]) -> str:
    """All message texts of a reply, joined."""
    return "\n".join(m.get("text", "") for m in messages)


def buttons(messages: list[dict]) -> list[dict]:
    return [b for m in messages for b in m.get("buttons", [])]


@contextlib.contextmanager
def temporary_stack(index_dir: Path, rasa_workers: int | None = 1) -> Iterator[Stack]:
    """A whole running system over a copy of ``index_dir`` in a temporary var folder, stopped on exit."""
    with tempfile.TemporaryDirectory() as folder:
        var_dir = Path(folder) / "var"
        copy_index(index_dir, var_dir / "index")
        stack = Stack(var_dir, rasa_workers=rasa_workers)
        stack.start()
        try:
            yield stack
        finally:
            stack.stop()
