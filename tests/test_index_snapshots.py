"""Index builds: incremental embedding, atomic snapshot swap, killed builds and bad documents."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.builder import BuildError, build_index
from index.snapshot import SnapshotStore
from knowledge.loader import load_kb
from tests.conftest import PROJECT, SAMPLE_KB, copy_index, write_doc

NEW_FACT = "示例市滨江区新增了夜间延时服务窗口，每周四延长至晚上八点"


@pytest.fixture()
def index_copy(sample_index, tmp_path) -> Path:
    return copy_index(sample_index, tmp_path / "index")


def _build(kb: Path, index_dir: Path, embedder, tokenizer, settings):
    return build_index(kb, index_dir, lambda: embedder, tokenizer, settings)


def test_incremental_update_and_live_swap(kb_copy, index_copy, embedder, tokenizer, settings, searcher_factory):
    searcher = searcher_factory(index_copy, reload_interval=0.0)
    before = searcher.version
    path = kb_copy / "id-card.md"
    path.write_text(path.read_text("utf-8").replace("## 办理时限", f"## 办理时限\n\n{NEW_FACT}。\n"), "utf-8")
    result = _build(kb_copy, index_copy, embedder, tokenizer, settings)
    assert 1 <= result.embedded <= 3 and result.reused >= result.chunks - 3
    assert result.version != before
    response = searcher.search("滨江区夜间延时服务窗口周四几点")
    assert response.version == result.version
    assert response.results[0].doc_id == "id-card"
    assert any(NEW_FACT in s["text"] for s in searcher.data()[1].documents["id-card"]["sections"])


def test_deleted_document_disappears(kb_copy, index_copy, embedder, tokenizer, settings, searcher_factory):
    (kb_copy / "passport.md").unlink()
    _build(kb_copy, index_copy, embedder, tokenizer, settings)
    searcher = searcher_factory(index_copy)
    assert "passport" not in {r.doc_id for r in searcher.search("办护照", top_k=10).results}


def test_invalid_documents_are_skipped_and_reported(kb_copy, index_copy, embedder, tokenizer, settings):
    (kb_copy / "broken.md").write_text("---\nid: broken\ntitle: [坏\n---\n正文", "utf-8")
    write_doc(kb_copy, "dup", "重复", "## 申请材料\n\n身份证。", id="passport")
    write_doc(kb_copy, "odd-type", "奇怪类型", "## 申请材料\n\n身份证。", type="manual")
    result = _build(kb_copy, index_copy, embedder, tokenizer, settings)
    files = {Path(p.file).name for p in result.problems}
    assert {"broken.md", "dup.md", "odd-type.md"} <= files
    assert result.documents == len(load_kb(SAMPLE_KB).documents)


def test_empty_knowledge_base_keeps_the_previous_snapshot(tmp_path, index_copy, embedder, tokenizer, settings):
    before = SnapshotStore(index_copy).current_name()
    (tmp_path / "empty").mkdir()
    with pytest.raises(BuildError):
        _build(tmp_path / "empty", index_copy, embedder, tokenizer, settings)
    assert SnapshotStore(index_copy).current_name() == before


def test_leftover_workspace_is_ignored_and_cleaned(
    kb_copy, index_copy, embedder, tokenizer, settings, searcher_factory
):
    store = SnapshotStore(index_copy)
    half = store.snapshots_dir / ".tmp-deadbeef"
    half.mkdir()
    (half / "chunks.jsonl").write_text('{"half": ', "utf-8")
    searcher = searcher_factory(index_copy)
    assert searcher.search("身份证补办").results[0].doc_id == "id-card"
    _build(kb_copy, index_copy, embedder, tokenizer, settings)
    assert not half.exists()


def test_build_killed_halfway_leaves_the_previous_snapshot_serving(kb_copy, index_copy, searcher_factory, tmp_path):
    """Kill a real `govbot index build` process while it embeds many changed documents."""
    before = SnapshotStore(index_copy).current_name()
    for path in sorted(kb_copy.glob("*.md"))[:30]:
        path.write_text(path.read_text("utf-8") + "\n\n（本页内容已于近期复核。）\n", "utf-8")
    env = dict(os.environ, GOVBOT_INDEX_DIR=str(index_copy), PYTHONUNBUFFERED="1")
    command = [
        sys.executable,
        "-m",
        "govbot.cli",
        "index",
        "build",
        "--kb",
        str(kb_copy),
        "--index",
        str(index_copy),
    ]
    process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    output = b""
    while time.monotonic() < deadline and b"Batches" not in output:
        output += process.stdout.read1(4096) if process.stdout else b""
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert b"Batches" in output, output[-2000:]
    assert SnapshotStore(index_copy).current_name() == before
    assert searcher_factory(index_copy).search("身份证补办").results[0].doc_id == "id-card"


def test_a_build_that_recalibrates_far_says_the_scope_rule_needs_refitting(tmp_path):
    """Another corpus calibrates its confidence elsewhere: the scope rule fitted on the sample one is off."""
    other = PROJECT / "tests" / "data" / "conformance_kb"
    command = [sys.executable, "-m", "govbot.cli", "index", "build", "--kb", str(other), "--index", str(tmp_path)]
    result = subprocess.run(command, cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "重新拟合" in result.stderr and "python -m benchmarks.answers --fit" in result.stderr
