"""Build the shared runtime pieces (model, tokenizer, searcher) from settings, once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from govbot.settings import Settings, get_settings
from index.backend import backend_for
from index.embedder import Embedder
from index.searcher import Searcher
from index.tokenizer import GovTokenizer, get_tokenizer
from knowledge.service_catalogue import load_catalogue


def ensure_model(settings: Settings) -> str:
    """The model reference to load; converts the offline default on first use."""
    if settings.embedding_model:
        return settings.embedding_model
    from index.model_convert import ensure_default_model

    return str(ensure_default_model(settings.default_model_dir))


@lru_cache(maxsize=2)
def load_embedder(model_ref: str, threads: int, engine: str = "onnx") -> Embedder:
    """The embedding model, loaded once per process."""
    return Embedder(model_ref, threads=threads, engine=engine)


def embedder_for(settings: Settings | None = None) -> Embedder:
    settings = settings or get_settings()
    return load_embedder(ensure_model(settings), settings.torch_threads, settings.embedding_engine)


def tokenizer_for(settings: Settings | None = None) -> GovTokenizer:
    settings = settings or get_settings()
    return get_tokenizer(settings.user_dict_dir)


def make_searcher(index_dir: Path | None = None, settings: Settings | None = None) -> Searcher:
    """A searcher over ``index_dir`` (default: the configured index) in the configured backend, with the configured
    fusion and policy."""
    settings = settings or get_settings()
    index_dir = index_dir or settings.index_dir
    return Searcher(
        index_dir,
        embedder_for(settings),
        tokenizer_for(settings),
        weights=settings.fusion_weights,
        policy=settings.confidence_policy,
        ef_search=settings.hnsw_ef_search,
        self_calibrate=settings.self_calibrate,
        backend=backend_for(settings, index_dir),
        protected=service_names(settings),
    )


def service_names(settings: Settings | None = None) -> tuple[str, ...]:
    """Every name and everyday name of the city's service catalogue (the speller leaves them as written)."""
    settings = settings or get_settings()
    return tuple(name for entry in load_catalogue(settings.service_catalogue) for name in entry.names)
