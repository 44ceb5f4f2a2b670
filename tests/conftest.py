"""Shared fixtures: the real converted model, a real index built from the sample knowledge base."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from govbot.settings import get_settings  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE_KB = PROJECT / "knowledge" / "docs"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def settings():
    return get_settings()


@pytest.fixture(scope="session")
def embedder(settings):
    from govbot.components import embedder_for

    return embedder_for(settings)


@pytest.fixture(scope="session")
def tokenizer(settings):
    from govbot.components import tokenizer_for

    return tokenizer_for(settings)


def copy_index(source: Path, target: Path) -> Path:
    """Copy an index folder (its served snapshot), so tests can change it freely."""
    from index.snapshot import SnapshotStore

    current = SnapshotStore(source).current_path()
    if current is None:
        return target
    shutil.copytree(current, target / "snapshots" / current.name)
    (target / "CURRENT").write_text(current.name + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder, tokenizer, settings) -> Path:
    """A real index of the sample knowledge base in a temporary folder, built once for the session.

    It starts from a copy of the project's index when there is one, so only changed chunks are embedded.
    """
    from index.builder import build_index

    index_dir = copy_index(settings.index_dir, tmp_path_factory.mktemp("sample-index"))
    build_index(SAMPLE_KB, index_dir, lambda: embedder, tokenizer, settings)
    return index_dir


@pytest.fixture(scope="session")
def searcher_factory(embedder, tokenizer, settings):
    """Make a real searcher over an index folder."""
    from govbot.components import service_names
    from index.searcher import Searcher

    def make(index_dir: Path, **options) -> Searcher:
        options.setdefault("protected", service_names(settings))
        return Searcher(index_dir, embedder, tokenizer, settings.fusion_weights, settings.confidence_policy, **options)

    return make


@pytest.fixture()
def kb_copy(tmp_path) -> Path:
    """A writable copy of the sample knowledge base."""
    target = tmp_path / "kb"
    shutil.copytree(SAMPLE_KB, target)
    return target


def write_doc(folder: Path, doc_id: str, title: str, body: str, doc_type: str = "guide", **extra) -> Path:
    """Write a minimal valid document (front matter fields can be overridden by ``extra``)."""
    meta = {
        "id": doc_id,
        "type": doc_type,
        "title": title,
        "department": "示例市测试局",
        "region": "示例市",
        "audience": "[个人]",
        "updated": "2026-01-01",
        "sample": "true",
    }
    meta.update(extra)
    front = "\n".join(f"{k}: {v}" for k, v in meta.items() if v is not None)
    path = folder / f"{doc_id}.md"
    path.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def stack(sample_index, tmp_path_factory):
    """The whole running system (`govbot run`) for one test module, with its own copied data."""
    from tests.stack import Stack

    var_dir = tmp_path_factory.mktemp("stack") / "var"
    copy_index(sample_index, var_dir / "index")
    running = Stack(var_dir)
    running.start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory):
    """A real PostgreSQL server for the session (skipped, with the reason, only when it is not installed)."""
    from tests.servers import postgres_server

    try:
        with postgres_server() as server:
            yield server
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


@pytest.fixture()
def postgres_url(postgres, request) -> str:
    """A fresh, empty PostgreSQL database for one test."""
    import re
    import uuid

    name = re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + "_" + uuid.uuid4().hex[:8]
    return postgres.create_database(name)


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis server for the session (skipped, with the reason, only when it is not installed)."""
    from tests.servers import redis_server

    try:
        with redis_server() as server:
            yield server
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
