"""Start the knowledge service, the action server and the Rasa server; keep them running; stop them cleanly.

``govbot run`` uses this: it waits until all three answer their health checks, prints the URLs, restarts a
process that dies, and on Ctrl-C (SIGINT) or SIGTERM stops all three. Each child asks the kernel to kill it
when the supervisor dies (``PR_SET_PDEATHSIG``), so a killed supervisor leaves no process holding a port.
Rasa and the action server listen on loopback by default; Rasa's HTTP API needs its auth token.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from govbot.rasa_endpoints import endpoint_env
from govbot.security.secrets import internal_token, rasa_token
from govbot.settings import PROJECT_ROOT, Settings

HEALTH_TIMEOUT = 300.0
MAX_RESTARTS = 5
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """In the child before exec: get SIGKILL when the supervisor dies (Linux); exit if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


@dataclass
class Service:
    """One supervised process."""

    name: str
    command: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, env: dict[str, str], log_dir: Path) -> None:
        log = open(log_dir / f"{self.name}.log", "ab")  # noqa: SIM115 - kept open for the child's lifetime
        parent = os.getpid()
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env={**env, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=functools.partial(_die_with, parent) if sys.platform.startswith("linux") else None,
        )
        (log_dir / f"{self.name}.pid").write_text(str(self.process.pid))

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def stop(self, grace: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def actions_command(port: int) -> list[str]:
    """The action server on ``port``."""
    return [str(Path(sys.executable).with_name("rasa")), "run", "actions", "--actions", "actions", "--port", str(port)]


def rasa_command(settings: Settings, rasa_model: Path, port: int) -> list[str]:
    """The Rasa server on ``port`` with its HTTP API behind the auth token (Rasa's CLI via
    :mod:`govbot.rasa_server`, which fixes its action-response validation cost)."""
    return [
        sys.executable,
        "-m",
        "govbot.rasa_server",
        "run",
        "--enable-api",
        f"--auth-token={rasa_token(settings)}",  # one argument: a token may start with "-"
        "--model",
        str(rasa_model),
        "--endpoints",
        "endpoints.yml",
        "--credentials",
        "credentials.yml",
        "--port",
        str(port),
        "--interface",
        settings.rasa_host,
    ]


def build_services(settings: Settings, rasa_model: Path) -> list[Service]:
    """The knowledge service, the action server and the Rasa worker(s), with ports from settings."""
    return [
        Service(
            "knowledge",
            [str(Path(sys.executable).with_name("govbot")), "serve"],
            f"http://{settings.host}:{settings.app_port}/health",
        ),
        Service(
            "actions",
            actions_command(settings.actions_port),
            f"http://{settings.actions_host}:{settings.actions_port}/health",
            env={"SANIC_HOST": settings.actions_host},
        ),
    ] + [
        Service(
            "rasa" if n == 0 else f"rasa-{n + 1}",
            rasa_command(settings, rasa_model, port),
            f"http://{settings.rasa_host}:{port}/",
        )
        for n, port in enumerate(settings.rasa_ports)
    ]


def service_env(settings: Settings) -> dict[str, str]:
    """The environment of the children: ours plus what endpoints.yml interpolates."""
    env = dict(os.environ)
    env.update(
        {
            **endpoint_env(settings),
            "GOVBOT_KNOWLEDGE_URL": settings.knowledge_url,
            "GOVBOT_INTERNAL_TOKEN": internal_token(settings),
            "GOVBOT_RASA_TOKEN": rasa_token(settings),
            "HF_HUB_OFFLINE": "1",
            "TF_CPP_MIN_LOG_LEVEL": "3",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Supervisor:
    """Runs the services until told to stop."""

    def __init__(self, services: list[Service], env: dict[str, str], log_dir: Path):
        self.services = services
        self.env = env
        self.log_dir = log_dir
        self._stopping = False

    def _request_stop(self, signum: int, _frame: object) -> None:
        self._stopping = True

    def start_all(self) -> bool:
        """Start every service and wait until all are healthy; False if one died or timed out."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            service.start(self.env, self.log_dir)
        deadline = time.monotonic() + HEALTH_TIMEOUT
        pending = list(self.services)
        while pending and not self._stopping:
            for service in list(pending):
                if service.process is not None and service.process.poll() is not None:
                    print(
                        f"{service.name} exited during start-up; see {self.log_dir / service.name}.log",
                        flush=True,
                    )
                    return False
                if service.healthy():
                    pending.remove(service)
            if time.monotonic() > deadline:
                print(f"timed out waiting for: {', '.join(s.name for s in pending)}", flush=True)
                return False
            time.sleep(0.5)
        return not pending

    def watch(self) -> None:
        """Restart services that die, until a stop signal arrives (or one keeps dying)."""
        while not self._stopping:
            for service in self.services:
                if service.process is not None and service.process.poll() is not None and not self._stopping:
                    now = time.monotonic()
                    service.restarts = [t for t in service.restarts if now - t < 300] + [now]
                    if len(service.restarts) > MAX_RESTARTS:
                        print(f"{service.name} keeps failing; stopping. See its log.", flush=True)
                        self._stopping = True
                        break
                    print(f"{service.name} exited (code {service.process.returncode}); restarting", flush=True)
                    service.start(self.env, self.log_dir)
            time.sleep(1.0)

    def stop_all(self) -> None:
        for service in reversed(self.services):
            service.stop()

    def run(self) -> int:
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        try:
            if not self.start_all():
                return 1
            print("govbot is running:", flush=True)
            for service in self.services:
                print(f"  {service.name:<10} {service.health_url.rsplit('/', 1)[0]}", flush=True)
            self.watch()
            return 0
        finally:
            print("stopping…", flush=True)
            self.stop_all()
            print("stopped.", flush=True)
