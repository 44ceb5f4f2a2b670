"""Consistent hashing of conversation ids onto Rasa replicas.

Open-source Rasa's lock store does not stop two replicas from handling one conversation at once, so every
message of a conversation goes to the same replica. A replica that cannot be reached hands its conversations to
the next one on the ring; the others keep theirs.
"""

from __future__ import annotations

import bisect
import hashlib

VIRTUAL_NODES = 64


def _point(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


class Ring:
    """Replica URLs placed on a hash ring with virtual nodes."""

    def __init__(self, urls: list[str], virtual_nodes: int = VIRTUAL_NODES):
        if not urls:
            raise ValueError("a ring needs at least one replica")
        self.urls = list(dict.fromkeys(urls))
        points = sorted((_point(f"{url}#{i}"), url) for url in self.urls for i in range(virtual_nodes))
        self._keys = [key for key, _ in points]
        self._urls = [url for _, url in points]

    def order(self, conversation_id: str) -> list[str]:
        """Every replica, the conversation's own first, then the ones that take it over in turn."""
        start = bisect.bisect(self._keys, _point(conversation_id)) % len(self._keys)
        seen: dict[str, None] = {}
        for i in range(len(self._urls)):
            seen.setdefault(self._urls[(start + i) % len(self._urls)])
            if len(seen) == len(self.urls):
                break
        return list(seen)

    def owner(self, conversation_id: str) -> str:
        """The replica that handles this conversation while it is up."""
        return self.order(conversation_id)[0]
