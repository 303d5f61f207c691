"""Shared helpers for the payments tests: a fault-injecting executor and request helpers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import structlog.testing
import uvicorn

from ports.sql import DatabaseError, OutcomeUnknown, SqlExecutor, SqlResult, SqlValue


class InjectedCrash(DatabaseError):
    """The statement never ran: the process "died" before sending it."""


class InjectedOutcomeUnknown(OutcomeUnknown):
    """The statement ran, then the connection (or the process) died before the answer."""


class FaultyExecutor:
    """Wraps a real executor and fails the Nth statement after ``arm(n)``.

    ``after=True`` runs the statement first and then raises, so both sides of every step
    boundary get exercised. Provided through the container in place of ``SqlExecutor``.
    """

    def __init__(self, inner: SqlExecutor) -> None:
        self.inner = inner
        self._countdown: int | None = None
        self._after = False
        self.fired = False
        self.statements = 0

    @property
    def dialect(self) -> str:
        return self.inner.dialect

    def arm(self, n: int, *, after: bool = False) -> None:
        self._countdown, self._after, self.fired = n, after, False

    def disarm(self) -> None:
        self._countdown = None

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        self.statements += 1
        if self._countdown is not None:
            self._countdown -= 1
            if self._countdown == 0:
                self._countdown = None
                self.fired = True
                if not self._after:
                    raise InjectedCrash("injected crash before the statement")
                await self.inner.execute(sql, params, idempotent=idempotent)
                raise InjectedOutcomeUnknown("injected crash after the statement")
        return await self.inner.execute(sql, params, idempotent=idempotent)

    async def ping(self) -> float:
        return await self.inner.ping()

    async def close(self) -> None:
        await self.inner.close()


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


async def add_user(executor: SqlExecutor, user_id: str, email: str) -> None:
    await executor.execute(
        "INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, email, None, "x", "user", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
    )


def strip_times(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.endswith("_at")}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a loopback port in the current event loop.

    The test, the app and the store then share one loop, so a store whose connections
    belong to a loop (PostgreSQL pools) works when the test also reads it directly.
    """
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    with structlog.testing.capture_logs():
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve)
            for _ in range(1000):  # uvicorn exposes only a flag; poll it, bounded to 10 s
                if server.started:
                    break
                await anyio.sleep(0.01)
            assert server.started, "uvicorn did not start"
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True


@asynccontextmanager
async def http_client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with serve(app) as base_url:
        limits = httpx.Limits(max_connections=60)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
            yield client
