"""What endpoints.yml interpolates for Rasa's tracker store and lock store, from govbot settings.

Single machine: the tracker store in SQLite under var/, Rasa's in-memory lock store. Cluster profile: the tracker
store in PostgreSQL (GOVBOT_DATABASE_URL or GOVBOT_TRACKER_DATABASE_URL) and Redis as the lock store
(GOVBOT_REDIS_URL), so every Rasa replica sees the same conversations and the same locks.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from govbot.settings import Settings

REDIS_PORT = 6379


def redis_parts(url: str) -> dict[str, str]:
    """Host, port, database number and password of a ``redis://[:password@]host[:port][/db]`` URL."""
    parts = urlsplit(url)
    if parts.scheme != "redis" or not parts.hostname:
        raise ValueError("GOVBOT_REDIS_URL must look like redis://host:port/db")
    return {
        "host": parts.hostname,
        "port": str(parts.port or REDIS_PORT),
        "db": parts.path.strip("/") or "0",
        "password": unquote(parts.password or ""),
    }


def endpoint_env(settings: Settings) -> dict[str, str]:
    """The environment variables endpoints.yml reads (and Rasa's lock lifetime, read from TICKET_LOCK_LIFETIME)."""
    redis = redis_parts(settings.redis_url) if settings.redis_url else None
    return {
        "GOVBOT_ACTIONS_URL": settings.actions_url,
        "GOVBOT_TRACKER_URL": settings.tracker_database_url,
        "GOVBOT_LOCK_STORE": "redis" if redis else "in_memory",
        "GOVBOT_REDIS_HOST": redis["host"] if redis else "",
        "GOVBOT_REDIS_PORT": redis["port"] if redis else "",
        "GOVBOT_REDIS_DB": redis["db"] if redis else "",
        "GOVBOT_REDIS_PASSWORD": redis["password"] if redis else "",
        "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime),
    }
