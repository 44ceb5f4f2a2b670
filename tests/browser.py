"""Headless Chromium (Debian's package) driven by Playwright, for page tests and measurements."""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Iterator

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError("Chromium is missing: run scripts/install-system-deps.sh (apt-get install chromium)")
    return path


@contextlib.contextmanager
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


def wait_until(page: Page, expression: str, timeout: float = 30_000, interval: float = 0.1) -> None:
    """Poll a page expression every ``interval`` seconds until it is truthy (through DevTools, so the pages' CSP,
    which forbids eval and with it Playwright's wait_for_function, stays as strict in the tests as in
    production)."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(interval)
