"""Send a conversation's requests to its own Rasa replica (:mod:`govbot.cluster.ring`), and to the next one on
the ring only when its own is gone: it refused the connection, or dropped it without any answer (killed, or a
pooled connection to a replica that has since died). A slow replica (read timeout) is not skipped: it may be
processing the message. A message in flight when its replica dies can therefore be processed again by the next
one; that is the price of continuing the conversation."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from govbot.cluster.ring import Ring
from govbot.privacy.protector import get_protector

logger = logging.getLogger("govbot.cluster")
REPLICA_GONE = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)


async def request_pinned(
    client: httpx.AsyncClient, ring: Ring, sender: str, method: str, path: str, **kwargs: Any
) -> httpx.Response:
    """``method path`` on the conversation's replica; raise the last ``httpx.HTTPError`` when none could take it."""
    error: httpx.HTTPError | None = None
    for url in ring.order(sender):
        try:
            response = await client.request(method, f"{url}{path}", **kwargs)
        except REPLICA_GONE as exc:
            error = exc
            logger.warning("Rasa replica %s unreachable; trying the next one", url)
            continue
        if len(ring.urls) > 1 and method == "POST":
            logger.info("conversation %s handled by %s", get_protector().identity(sender)[:16], url)
        return response
    assert error is not None
    raise error
