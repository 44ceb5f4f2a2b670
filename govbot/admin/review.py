"""The review queue: unanswered and low-confidence questions, 👎 and handoffs, grouped by meaning."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from govbot.storage.database import session_scope
from govbot.storage.models import ReviewItem
from index.embedder import Embedder

MAX_OPEN = 2000


@dataclass
class ReviewGroup:
    """Similar open questions; ``id`` is the smallest item id, stable while the group is open."""

    id: int
    questions: list[str]
    item_ids: list[int]
    kinds: dict[str, int] = field(default_factory=dict)
    doc_ids: list[str] = field(default_factory=list)
    first_seen: str = ""
    last_seen: str = ""

    @property
    def size(self) -> int:
        return len(self.item_ids)

    def to_dict(self) -> dict:
        return {**asdict(self), "size": self.size}


def open_items(url: str) -> list[ReviewItem]:
    with session_scope(url) as session:
        return session.query(ReviewItem).filter_by(status="open").order_by(ReviewItem.id).limit(MAX_OPEN).all()


class QuestionVectors:
    """Query embeddings of review questions, computed once per distinct text (bounded)."""

    def __init__(self, embedder: Embedder, size: int = 20_000):
        self.embedder = embedder
        self.size = size
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            if len(self._cache) + len(missing) > self.size:
                self._cache.clear()
            self._cache.update(zip(missing, self.embedder.embed_queries(missing), strict=True))
        return np.vstack([self._cache[t] for t in texts])


def group_items(items: list[ReviewItem], vectors_of: QuestionVectors, threshold: float) -> list[ReviewGroup]:
    """Greedy grouping: each question joins the first group whose centroid is at least ``threshold`` similar."""
    if not items:
        return []
    vectors = vectors_of([i.question for i in items])
    centroids: list[np.ndarray] = []
    members: list[list[int]] = []
    for index, vector in enumerate(vectors):
        if centroids:
            similarities = np.array([c @ vector for c in centroids])
            best = int(np.argmax(similarities))
            if similarities[best] >= threshold:
                members[best].append(index)
                mean = vectors[members[best]].mean(axis=0)
                centroids[best] = mean / np.linalg.norm(mean)
                continue
        centroids.append(vector)
        members.append([index])
    groups = []
    for indexes in members:
        chosen = [items[i] for i in indexes]
        kinds: dict[str, int] = {}
        for item in chosen:
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        times = [item.created_at for item in chosen]
        groups.append(
            ReviewGroup(
                id=min(item.id for item in chosen),
                questions=list(dict.fromkeys(item.question for item in chosen))[:20],
                item_ids=[item.id for item in chosen],
                kinds=kinds,
                doc_ids=sorted({item.doc_id for item in chosen if item.doc_id}),
                first_seen=min(times).isoformat(),
                last_seen=max(times).isoformat(),
            )
        )
    return sorted(groups, key=lambda g: (-g.size, g.id))


def close_items(url: str, item_ids: list[int], status: str, actor: str, doc_id: str | None = None) -> int:
    with session_scope(url) as session:
        return int(
            session.query(ReviewItem)
            .filter(ReviewItem.id.in_(item_ids), ReviewItem.status == "open")
            .update({"status": status, "linked_doc": doc_id, "resolved_by": actor}, synchronize_session=False)
        )
