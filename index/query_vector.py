"""A query embedding carried between processes: the NLU embeds the message once, retrieval reuses it.

The vector travels as base64 of little-endian float32 (exact, about 2 KB for E5-small) together with the text
it embeds, so the receiver reuses it only for exactly that text and otherwise embeds the question itself.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import numpy as np

PARSE_KEY = "govbot_query_vector"  # where Rasa's parse data (tracker.latest_message) carries it
_NORM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class CarriedVector:
    """An L2-normalised query embedding of ``text``."""

    text: str
    vector: np.ndarray

    def to_dict(self) -> dict[str, str]:
        data = np.ascontiguousarray(self.vector, dtype="<f4").tobytes()
        return {"text": self.text, "vector": base64.b64encode(data).decode("ascii")}


def decode(text: str, encoded: str, dimension: int) -> CarriedVector | None:
    """The carried vector, or None when it is not a finite unit vector of ``dimension`` floats."""
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != dimension * 4:
        return None
    vector = np.frombuffer(raw, dtype="<f4").astype(np.float32)
    if not np.all(np.isfinite(vector)) or abs(float(np.linalg.norm(vector)) - 1.0) > _NORM_TOLERANCE:
        return None
    return CarriedVector(text, vector)


def vector_for(carried: CarriedVector | None, query_text: str) -> np.ndarray | None:
    """The carried vector when it embeds exactly ``query_text`` (the cleaned query), else None."""
    return carried.vector if carried is not None and carried.text == query_text else None
