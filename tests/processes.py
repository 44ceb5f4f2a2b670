"""Start real project processes for tests, on free ports, and wait until they answer."""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.conftest import PROJECT

BIN = Path(sys.executable).parent


FIRST_PORT = 20_000
MAX_CONSECUTIVE = 64
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


def _ephemeral_start() -> int:
    """The first port the kernel hands out to outgoing connections (32768 on Linux by default)."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768


def free_port() -> int:
    """A free port below the ephemeral range: a client waiting for a server there can never connect to itself."""
    last = _ephemeral_start() - MAX_CONSECUTIVE  # room for free_ports' run of consecutive ports
    while True:
        port = random.randint(FIRST_PORT, last)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive free ports."""
    while True:
        first = free_port()
        with contextlib.ExitStack() as held:
            try:
                for port in range(first, first + count):
                    held.enter_context(socket.socket()).bind(("127.0.0.1", port))
            except OSError:
                continue
        return first


def wait_http(url: str, timeout: float = 180.0, process: subprocess.Popen | None = None) -> None:
    """Wait until ``url`` answers 200; fail early if ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError, http.client.HTTPException):
            pass  # not up yet (HTTPException: a half-started server)
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a process in its own session, output to ``log``."""
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
    """Stop a process group and return the exit code."""
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return process.returncode
