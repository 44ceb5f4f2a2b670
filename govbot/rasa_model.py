"""Train the Rasa model only when its training data or configuration changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from govbot.settings import PROJECT_ROOT, Settings

TRAINING_INPUTS = ("config.yml", "domain.yml", "bot/data", "govbot/nlu", "index/dictionary")
FINGERPRINT = ".fingerprint"


def training_fingerprint(embedding_model: str, root: Path = PROJECT_ROOT) -> str:
    """A hash of every training input: files, custom NLU components, and the embedding model they use."""
    digest = hashlib.sha256(embedding_model.encode())
    for name in TRAINING_INPUTS:
        path = root / name
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def latest_model(model_dir: Path) -> Path | None:
    models = sorted(model_dir.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


def train_command(out_dir: Path) -> list[str]:
    """The `rasa train` command for this project's data and configuration."""
    rasa = Path(sys.executable).with_name("rasa")
    return [
        str(rasa),
        "train",
        "--data",
        "bot/data",
        "--domain",
        "domain.yml",
        "--config",
        "config.yml",
        "--out",
        str(out_dir),
        "--force",
    ]


def ensure_rasa_model(settings: Settings, root: Path = PROJECT_ROOT) -> Path:
    """The trained model, training it first when the inputs changed since the last training."""
    model_dir = settings.rasa_model_dir
    stamp = model_dir / FINGERPRINT
    fingerprint = training_fingerprint(settings.embedding_model_ref, root)
    current = latest_model(model_dir)
    if current is not None and stamp.exists() and stamp.read_text().strip() == fingerprint:
        return current
    model_dir.mkdir(parents=True, exist_ok=True)
    print("Training the Rasa model (data or configuration changed)…", flush=True)
    subprocess.run(train_command(model_dir), cwd=root, check=True)
    stamp.write_text(fingerprint)
    model = latest_model(model_dir)
    assert model is not None
    for old in model_dir.glob("*.tar.gz"):
        if old != model:
            old.unlink()
    return model
