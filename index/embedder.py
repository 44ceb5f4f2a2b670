"""Sentence embeddings from a sentence-transformers model (the converted offline E5 by default)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from index.onnx_encoder import OnnxEncoder

logger = logging.getLogger(__name__)
ENGINES = ("onnx", "torch")

QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"


class Embedder:
    """Encodes queries and passages into L2-normalised float32 vectors.

    Models that define ``query``/``passage`` prompts (E5) get them; others are used as they are. With
    ``engine="onnx"`` a local model runs on ONNX Runtime (:mod:`index.onnx_encoder`) when it can be exported
    faithfully, else on PyTorch; :attr:`engine` says which.
    """

    def __init__(self, model_ref: str, threads: int = 0, batch_size: int = 32, engine: str = "onnx"):
        if engine not in ENGINES:
            raise ValueError(f"GOVBOT_EMBEDDING_ENGINE must be one of {', '.join(ENGINES)}, not {engine!r}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()

        if threads > 0:
            torch.set_num_threads(threads)
        self.model_ref = model_ref
        self.batch_size = batch_size
        self._model = SentenceTransformer(model_ref, device="cpu")
        self._prompts = set(self._model.prompts or {})
        self._onnx = self._onnx_encoder(model_ref, threads) if engine == "onnx" else None
        self.engine = "onnx" if self._onnx is not None else "torch"
        self._lock = threading.Lock()
        self.queries_embedded = 0  # query texts embedded by this process (see GET /embeddings)

    def _onnx_encoder(self, model_ref: str, threads: int) -> OnnxEncoder | None:
        from index.onnx_encoder import UnsupportedModel, load_onnx_encoder

        if not Path(model_ref).is_dir():
            return None
        try:
            return load_onnx_encoder(self._model, Path(model_ref), threads or 1)
        except (ImportError, UnsupportedModel, OSError, RuntimeError) as error:
            logger.warning("embedding with PyTorch: no ONNX encoder for %s (%s)", model_ref, error)
            return None

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prompt: str, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        prompt_name = prompt if prompt in self._prompts else None
        with self._lock:
            if self._onnx is not None:
                return self._onnx.encode(texts, prompt_name, self.batch_size, progress)
            vectors = self._model.encode(
                list(texts),
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._encode(texts, QUERY_PROMPT)
        with self._lock:
            self.queries_embedded += len(texts)
        return vectors

    def embed_passages(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, PASSAGE_PROMPT, progress)
