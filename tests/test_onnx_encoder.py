"""The embedding model on ONNX Runtime: the same vectors as PyTorch, exported once, PyTorch when it cannot be."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from index.embedder import Embedder
from index.onnx_encoder import EXPORT_DIR, EXPORT_FILE, MARKER_FILE

QUERIES = ["身份证丢了怎么补办", "  退休了养老金怎么领  ", "ＡＢＣ１２３", "a", "社保卡" * 400]
PASSAGES = ["办理地点：示例市政务服务中心一楼。" * n for n in (1, 3, 10, 60)]


@pytest.fixture(scope="module")
def torch_embedder(settings) -> Embedder:
    return Embedder(settings.embedding_model_ref, threads=1, engine="torch")


def _linked_copy(model_dir: Path, target: Path) -> Path:
    """The model's files as symlinks in a new folder, without its export."""
    for path in model_dir.rglob("*"):
        relative = path.relative_to(model_dir)
        if path.is_file() and relative.parts[0] != EXPORT_DIR:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            (target / relative).symlink_to(path)
    return target


def test_the_default_embedder_runs_on_onnx_and_gives_the_pytorch_vectors(embedder, torch_embedder):
    assert embedder.engine == "onnx" and torch_embedder.engine == "torch"
    for embed in ("embed_queries", "embed_passages"):
        onnx_vectors = getattr(embedder, embed)(QUERIES + PASSAGES)
        torch_vectors = getattr(torch_embedder, embed)(QUERIES + PASSAGES)
        assert onnx_vectors.dtype == np.float32 and onnx_vectors.shape == torch_vectors.shape
        assert np.allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-4)
        assert float((onnx_vectors * torch_vectors).sum(axis=1).min()) > 0.9999


def test_one_text_alone_and_in_a_padded_batch_gets_the_same_vector(embedder):
    alone = embedder.embed_queries([QUERIES[0]])[0]
    batched = embedder.embed_queries(QUERIES)[0]
    assert float(alone @ batched) > 0.99999


def test_the_export_is_made_once_and_redone_when_the_model_changes(settings, tmp_path, torch_embedder):
    model_dir = _linked_copy(Path(settings.embedding_model_ref), tmp_path / "model")
    first = Embedder(str(model_dir), threads=1)
    exported, marker = model_dir / EXPORT_DIR / EXPORT_FILE, model_dir / EXPORT_DIR / MARKER_FILE
    assert first.engine == "onnx" and exported.is_file()
    assert json.loads(marker.read_text())["agreement"] > 0.9999
    stamp = exported.stat().st_mtime_ns

    assert Embedder(str(model_dir), threads=1).engine == "onnx"
    assert exported.stat().st_mtime_ns == stamp  # reused, not exported again

    config = model_dir / "config.json"
    target = config.resolve()
    config.unlink()
    config.write_text(target.read_text())  # same content, a new file: the model changed as far as we can tell
    again = Embedder(str(model_dir), threads=1)
    assert again.engine == "onnx" and exported.stat().st_mtime_ns != stamp
    vectors = again.embed_queries(QUERIES)
    assert float((vectors * torch_embedder.embed_queries(QUERIES)).sum(axis=1).min()) > 0.9999


def test_a_model_it_cannot_export_faithfully_runs_on_pytorch(settings, tmp_path, caplog):
    model_dir = _linked_copy(Path(settings.embedding_model_ref), tmp_path / "model")
    pooling = model_dir / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.unlink()
    config.update({"pooling_mode_mean_tokens": False, "pooling_mode_max_tokens": True})
    pooling.write_text(json.dumps(config))
    with caplog.at_level(logging.WARNING, logger="index.embedder"):
        embedder = Embedder(str(model_dir), threads=1)
    assert embedder.engine == "torch"
    assert "PyTorch" in caplog.text and "max" in caplog.text
    assert not (model_dir / EXPORT_DIR / EXPORT_FILE).exists()
    assert embedder.embed_queries(["身份证"]).shape == (1, embedder.dimension)


def test_an_unknown_engine_is_refused_by_name(settings):
    with pytest.raises(ValueError, match="GOVBOT_EMBEDDING_ENGINE"):
        Embedder(settings.embedding_model_ref, engine="tensorrt")
