"""Engine and sessions for the configured database URL (SQLite under var/ by default, or PostgreSQL)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from govbot.storage.models import Base

SCHEMA_LOCK = 0x60B07  # PostgreSQL advisory lock key held while creating or upgrading the schema


@lru_cache(maxsize=4)
def get_engine(url: str) -> Engine:
    """One engine per URL; creates the tables on first use."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        # Pooled connections: SQLAlchemy 1.4 opens a new SQLite connection per session by default, and closing the
        # last one checkpoints the write-ahead log and waits for the disk, once per recorded answer.
        engine = create_engine(
            url,
            future=True,
            poolclass=QueuePool,
            pool_size=2,
            max_overflow=8,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # noqa: ANN001 - DB-API connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA secure_delete=ON")  # purged records are overwritten, not left in free pages
            cursor.close()
    else:
        engine = create_engine(url, future=True, pool_pre_ping=True)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":  # replicas starting together create the schema one at a time
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
        Base.metadata.create_all(connection)
        _add_missing_columns(connection)
    return engine


def _add_missing_columns(connection: Connection) -> None:
    """Add columns and indexes introduced since a table was created (all such columns are nullable)."""
    inspector = inspect(connection)
    for table in Base.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=connection.dialect)
                connection.exec_driver_sql(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}')
        indexes = {i["name"] for i in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in indexes:
                index.create(connection)


@contextlib.contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on error."""
    session = sessionmaker(bind=get_engine(url), future=True, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
