"""Real throwaway PostgreSQL and Redis servers on free loopback ports, for the cluster profile's tests."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.processes import free_port

START_TIMEOUT = 30.0
MISSING = "{what} is not installed: run scripts/install-system-deps.sh as root (Debian package {package})"


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries (Debian keeps them out of PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _server_user() -> str | None:
    """Who runs PostgreSQL: ourselves, or as root (which it refuses) the `postgres` system user, else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name).pw_name
        except KeyError:
            continue
    raise RuntimeError("running as root, and neither a `postgres` nor a `nobody` user exists to run PostgreSQL")


@dataclass
class PostgresServer:
    port: int
    process: subprocess.Popen
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://govbot@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="govbot", dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """initdb into a temporary folder, serve on a free loopback port (trust auth, no fsync), stop and delete."""
    import psycopg2

    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError(MISSING.format(what="PostgreSQL", package="postgresql"))
    user = _server_user()
    folder = Path(tempfile.mkdtemp(prefix="govbot-pg-"))
    if user is not None:
        shutil.chown(folder, user)
    log = open(folder / "server.log", "ab")  # noqa: SIM115 - closed below
    process = None
    try:
        subprocess.run(
            [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", "govbot", "-A", "trust", "-E", "UTF8"],
            user=user,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        port = free_port()
        process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(folder / "data"), "-h", "127.0.0.1", "-p", str(port)]
            + ["-k", str(folder), "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
            user=user,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                psycopg2.connect(host="127.0.0.1", port=port, user="govbot", dbname="postgres").close()
                break
            except psycopg2.OperationalError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"PostgreSQL did not start; see {folder / 'server.log'}") from None
                time.sleep(0.2)
        yield PostgresServer(port, process, folder)
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(2)  # SIGINT: PostgreSQL's fast shutdown (disconnects clients)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    """redis-server on a free loopback port, without persistence; stopped at the end."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError(MISSING.format(what="Redis", package="redis-server"))
    folder = Path(tempfile.mkdtemp(prefix="govbot-redis-"))
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--logfile", str(folder / "server.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Redis did not start; see {folder / 'server.log'}") from None
                time.sleep(0.1)
        yield RedisServer(port, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
