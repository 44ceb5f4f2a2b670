"""Send a conversation's requests to its own Rasa replica (:mod:`govbot.cluster.ring`), and to the next one on
the ring only when its own cannot be reached: a request that never arrived is safe to send elsewhere, one that
may have been processed is not."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from govbot.cluster.ring import Ring
from govbot.privacy.protector import get_protector

logger = logging.getLogger("govbot.cluster")
NOT_DELIVERED = (httpx.ConnectError, httpx.ConnectTimeout)


async def request_pinned(
    client: httpx.AsyncClient, ring: Ring, sender: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """``method path`` on the conversation's replica; raise the last ``httpx.HTTPError`` when none could take it."""
    error: httpx.HTTPError | None = None
    for url in ring.order(sender):
        try:
            response = await client.request(method, f"{url}{path}", **kwargs)
        except NOT_DELIVERED as exc:
            error = exc
            logger.warning("Rasa replica %s unreachable; trying the next one", url)
            continue
        if len(ring.urls) > 1 and method == "POST":
            logger.info("conversation %s handled by %s", get_protector().identity(sender)[:16], url)
        return response
    assert error is not None
    raise error
