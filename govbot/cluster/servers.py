"""PostgreSQL and Redis from the Debian packages, started as our own child processes on loopback.

``make cluster`` keeps their data under ``var/cluster``; the tests use throwaway folders. PostgreSQL refuses to
run as root, so as root it runs as the ``postgres`` system user (or ``nobody``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 30.0
MISSING = "{what} is not installed: run scripts/install-system-deps.sh as root (Debian package {package})"
SUPERUSER = "govbot"


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries (Debian keeps them out of PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def server_user() -> str | None:
    """Who runs PostgreSQL: ourselves, or as root the `postgres` system user, else `nobody`."""
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
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str, exist_ok: bool = False) -> str:
        """An empty database (or the existing one with ``exist_ok``); its SQLAlchemy URL."""
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
                if not (exist_ok and cursor.fetchone()):
                    cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)

    def stop(self) -> None:
        """PostgreSQL's fast shutdown (SIGINT: disconnects clients)."""
        stop_process(self.process, 2)


def stop_process(process: subprocess.Popen, signal_number: int = 15, grace: float = 30.0) -> None:
    if process.poll() is None:
        process.send_signal(signal_number)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_postgres(folder: Path, port: int, durable: bool = True) -> PostgresServer:
    """Serve the cluster in ``folder/data`` (created by initdb first) on 127.0.0.1:port; trust auth on loopback.

    ``durable=False`` (tests) turns fsync off."""
    import psycopg2

    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError(MISSING.format(what="PostgreSQL", package="postgresql"))
    user = server_user()
    folder.mkdir(parents=True, exist_ok=True)
    if user is not None:
        shutil.chown(folder, user)
    with open(folder / "server.log", "ab") as log:
        if not (folder / "data" / "PG_VERSION").exists():
            subprocess.run(  # fails (see server.log) when ``user`` cannot reach ``folder``
                [str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8"],
                user=user,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        options = [] if durable else ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(folder / "data"), "-h", "127.0.0.1", "-p", str(port)]
            + ["-k", str(folder), *options],
            user=user,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            psycopg2.connect(host="127.0.0.1", port=port, user=SUPERUSER, dbname="postgres").close()
            return PostgresServer(port, process, folder)
        except psycopg2.OperationalError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process, 2)
                raise RuntimeError(f"PostgreSQL did not start; see {folder / 'server.log'}") from None
            time.sleep(0.2)


@dataclass
class RedisServer:
    port: int
    process: subprocess.Popen

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        stop_process(self.process, 15, 10.0)


def start_redis(folder: Path, port: int) -> RedisServer:
    """redis-server on 127.0.0.1:port without persistence (it holds only Rasa's conversation locks)."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise FileNotFoundError(MISSING.format(what="Redis", package="redis-server"))
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        + ["--dir", str(folder), "--logfile", str(folder / "server.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            client.ping()
            return RedisServer(port, process)
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError(f"Redis did not start; see {folder / 'server.log'}") from None
            time.sleep(0.1)
