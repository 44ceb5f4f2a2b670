"""Real throwaway PostgreSQL and Redis servers on free loopback ports, for the cluster profile's tests."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg2

from govbot.cluster.servers import PostgresServer, RedisServer, postgres_bin, start_postgres, start_redis
from tests.processes import free_port

__all__ = ["PostgresServer", "RedisServer", "postgres_bin", "postgres_server", "redis_server"]


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb into a temporary folder, serve on a free loopback port (no fsync), stop and delete."""
    folder = Path(tempfile.mkdtemp(prefix="govbot-pg-"))
    try:
        server = start_postgres(folder, free_port(), durable=False)
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """redis-server on a free loopback port, without persistence; stopped at the end."""
    folder = Path(tempfile.mkdtemp(prefix="govbot-redis-"))
    try:
        server = start_redis(folder, free_port())
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def pg_rows(url: str, query: str) -> list[tuple]:
    """The rows of one query on a PostgreSQL database."""
    connection = psycopg2.connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query)
            return cursor.fetchall()
    finally:
        connection.close()
