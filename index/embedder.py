"""Sentence embeddings from a sentence-transformers model (the converted offline E5 by default)."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

import numpy as np

QUERY_PROMPT = "query"
PASSAGE_PROMPT = "passage"


class Embedder:
    """Encodes queries and passages into L2-normalised float32 vectors.

    Models that define ``query``/``passage`` prompts (E5) get them; others are used as they are.
    """

    def __init__(self, model_ref: str, threads: int = 0, batch_size: int = 32):
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
        self._lock = threading.Lock()
        self.queries_embedded = 0  # query texts embedded by this process (see GET /embeddings)

    @property
    def dimension(self) -> int:
        return int(self._model.get_embedding_dimension())

    def _encode(self, texts: Sequence[str], prompt: str, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                prompt_name=prompt if prompt in self._prompts else None,
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
