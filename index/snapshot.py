"""Versioned index snapshots under one folder, published by switching a pointer file atomically.

Layout::

    <index_dir>/CURRENT            name of the snapshot being served
    <index_dir>/snapshots/<name>/  one complete, immutable snapshot
    <index_dir>/snapshots/.tmp-*   a build in progress (removed when stale)
    <index_dir>/.build.lock        held by the one build running
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
import uuid
from pathlib import Path

from index.file_lock import exclusive_lock

POINTER = "CURRENT"
SNAPSHOTS = "snapshots"
TMP_PREFIX = ".tmp-"


def version_name() -> str:
    """A new version's name; names sort in the order they were made (microseconds, so several builds within one
    second still prune the oldest)."""
    now = time.time_ns() // 1000
    return (
        time.strftime("%Y%m%dT%H%M%S", time.localtime(now // 1_000_000))
        + f"{now % 1_000_000:06d}-{uuid.uuid4().hex[:6]}"
    )


class SnapshotStore:
    """Creates, publishes, finds and prunes the snapshots of one index folder."""

    def __init__(self, index_dir: Path):
        self.index_dir = index_dir
        self.snapshots_dir = index_dir / SNAPSHOTS

    def current_name(self) -> str | None:
        """The snapshot now served, or None before the first build."""
        try:
            name = (self.index_dir / POINTER).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name if name and (self.snapshots_dir / name).is_dir() else None

    def current_path(self) -> Path | None:
        name = self.current_name()
        return self.snapshots_dir / name if name else None

    def build_lock(self) -> contextlib.AbstractContextManager[None]:
        """Exclusive lock for one build at a time, across processes."""
        return exclusive_lock(self.index_dir / ".build.lock")

    def new_workspace(self) -> Path:
        """A fresh temporary folder for a build; call under :meth:`build_lock`."""
        self.snapshots_dir.mkdir(parents=True, exist_ok=True)
        for stale in self.snapshots_dir.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        path = self.snapshots_dir / f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}"
        path.mkdir()
        return path

    def publish(self, workspace: Path, keep: int = 3) -> str:
        """Make a finished workspace the served snapshot: rename it, then swap the pointer atomically."""
        name = version_name()
        final = self.snapshots_dir / name
        _fsync_tree(workspace)
        os.replace(workspace, final)
        pointer_tmp = self.index_dir / f"{POINTER}.{uuid.uuid4().hex[:6]}.tmp"
        with open(pointer_tmp, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer_tmp, self.index_dir / POINTER)
        self.prune(keep)
        return name

    def prune(self, keep: int) -> None:
        """Delete all but the newest ``keep`` snapshots; never the current one."""
        current = self.current_name()
        names = sorted(p.name for p in self.snapshots_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
        for name in names[: max(0, len(names) - keep)]:
            if name != current:
                shutil.rmtree(self.snapshots_dir / name, ignore_errors=True)


def _fsync_tree(path: Path) -> None:
    for file in path.rglob("*"):
        if file.is_file():
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
