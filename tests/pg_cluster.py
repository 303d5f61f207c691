"""A throw-away PostgreSQL cluster from Debian's server binaries, for the store tests.

``initdb`` into a temporary directory, ``postgres`` on a free loopback port with its unix
socket in that directory, one database; every test gets a fresh schema (``search_path`` in
the URL), so tests stay independent at the cost of a ``CREATE SCHEMA``. initdb refuses to run
as root: as root the cluster runs as the ``postgres`` system user (``runuser``).
"""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

__all__ = ["ClusterUnavailable", "PgCluster", "shared_cluster", "stop_shared_cluster"]

DATABASE = "fintech_test"
T = TypeVar("T")


class ClusterUnavailable(Exception):
    """The binaries (or a user to run them as) are absent: the PostgreSQL tests skip."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not found:
        on_path = shutil.which("initdb")
        if on_path is None:
            raise ClusterUnavailable(
                "PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, "
                "no initdb on PATH); install the postgresql package (CI does)"
            )
        return Path(on_path).parent
    return Path(found[0]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    def __init__(self) -> None:
        self.bin = _bin_dir()
        self.as_user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable(
                    "running as root and there is no 'postgres' system user to run initdb as"
                ) from None
            self.as_user = "postgres"
        # /tmp, not $TMPDIR: the postgres user must be able to reach the directory
        self.root = Path(
            tempfile.mkdtemp(prefix="fintech-pg-", dir="/tmp" if self.as_user else None)
        )
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = "postgres" if self.as_user else pwd.getpwuid(os.geteuid()).pw_name
        self._started = False

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> PgCluster:
        if self.as_user:
            shutil.chown(self.root, self.as_user, self.as_user)
        self._run(
            "initdb", "-D", str(self.data), "-U", self.user, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        self._started = True
        _run_async(lambda: self._admin(f'CREATE DATABASE "{DATABASE}"', database="postgres"))
        return self

    def stop(self) -> None:
        if self._started:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            finally:
                self._started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, schema: str | None = None, database: str = DATABASE) -> str:
        base = f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"
        return f"{base}?search_path={schema}" if schema else base

    async def _admin(self, sql: str, database: str = DATABASE) -> None:
        conn = await asyncpg.connect(self.url(database=database), timeout=10)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def new_schema_async(self) -> str:
        """A fresh, empty schema; returns the URL whose ``search_path`` points at it."""
        schema = f"t_{uuid.uuid4().hex[:16]}"
        await self._admin(f"CREATE SCHEMA {schema}")
        return self.url(schema)

    def new_schema(self) -> str:
        """``new_schema_async`` for synchronous fixtures (no event loop running)."""
        return _run_async(self.new_schema_async)


def _run_async(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine on a private loop in a thread (callers may be inside a running loop)."""
    box: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            box.append(asyncio.run(fn()))
        except BaseException as exc:  # handed back to the caller
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]


_shared: PgCluster | None = None
_failure: str | None = None  # binaries absent: every caller skips
_broken: str | None = None  # binaries present but the cluster did not start: every caller fails
_lock = threading.Lock()


def shared_cluster() -> PgCluster:
    """One cluster for the whole test session, started on first use."""
    global _shared, _failure, _broken
    with _lock:
        if _failure is not None:
            raise ClusterUnavailable(_failure)
        if _broken is not None:
            raise RuntimeError(f"the PostgreSQL test cluster failed to start: {_broken}")
        if _shared is None:
            cluster: PgCluster | None = None
            try:
                cluster = PgCluster()
                _shared = cluster.start()
            except ClusterUnavailable as exc:
                _failure = str(exc)
                raise
            except Exception as exc:
                _broken = str(exc)
                if cluster is not None:
                    cluster.stop()
                raise
        return _shared


def stop_shared_cluster() -> None:
    global _shared
    with _lock:
        if _shared is not None:
            _shared.stop()
            _shared = None
