"""The system of record: the Elixir RDBMS behind ``POST /execute`` (SQL over HTTP).

Speaks ``/work/shared/contracts/elixir-sql-http.md``: one statement per request, ``params``
sent beside the SQL (or rendered by ``literals.render`` in inline mode), answers
``{"success", "data", "error"}``. Transport and answer failures become the port's errors
exactly as the contract's tables say; ``policy.run_with_retries`` decides what is retried.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import ssl
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import anyio
import attrs
import certifi
import httpx
import msgspec
import structlog
from opentelemetry import trace

from adapters.sql.literals import check_value, render, split_placeholders
from adapters.sql.policy import RetryPolicy, describe, log_statement, run_with_retries
from ports.sql import (
    ConstraintViolation,
    DatabaseError,
    DatabaseUnavailable,
    OutcomeUnknown,
    SqlError,
    SqlResult,
    SqlValue,
    StatementRejected,
)

__all__ = ["ElixirHttpConfig", "ElixirHttpExecutor", "translate_reason"]

# Checked in this order: the contract's explicit reasons first, so that a message such as
# "syntax error near UNIQUE" is not mistaken for a uniqueness violation.
_REASONS: tuple[tuple[tuple[str, ...], type[SqlError]], ...] = (
    (("duplicate_primary_key", "duplicate_unique"), ConstraintViolation),
    (("invalid_type", "missing_column", "not_null"), StatementRejected),
    (("unsupported_statement", "syntax", "no such table"), StatementRejected),
    (("unique",), ConstraintViolation),
)
_UNAVAILABLE_STATUSES = frozenset({502, 503, 504})


def translate_reason(reason: str) -> SqlError:
    """The port error for an ``{"success": false, "error": reason}`` answer."""
    lowered = reason.lower()
    for needles, error in _REASONS:
        if any(needle in lowered for needle in needles):
            return error(reason)
    return DatabaseError(reason)


@attrs.frozen
class ElixirHttpConfig:
    base_url: str  # http(s)://host:port[/prefix]
    inline: bool = False
    token: str | None = attrs.field(default=None, repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    retries: int = 3
    pool_size: int = 10
    ca_bundle: str | None = None  # extra CA certificates (PEM) to trust for https


class _Answer(msgspec.Struct):
    success: bool
    data: Any = None
    error: str | None = None


def _current_traceparent() -> str:
    """The current OpenTelemetry span as a W3C traceparent, or a fresh valid one."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    trace_id = secrets.token_hex(16)
    span_id = secrets.token_hex(8)
    if int(trace_id, 16) == 0 or int(span_id, 16) == 0:  # all-zero ids are invalid
        return _current_traceparent()
    return f"00-{trace_id}-{span_id}-00"


_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def _current_request_id() -> str:
    """The API request's id bound in structlog's context (if sane), else a fresh one."""
    bound = structlog.contextvars.get_contextvars().get("request_id")
    if isinstance(bound, str) and _SAFE_ID.match(bound):
        return bound
    return uuid.uuid4().hex


def _value(raw: Any) -> SqlValue:
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)  # some servers send integral aggregates as floats
    if raw is None or isinstance(raw, (str, int, bool)):
        return raw
    if isinstance(raw, float):
        return raw  # type: ignore[return-value]  # non-integral aggregates (AVG) stay floats
    raise DatabaseError(f"malformed answer: unsupported value type {type(raw).__name__}")


def _result(data: Any) -> SqlResult:
    if data is None:
        return SqlResult()
    if isinstance(data, bool):
        raise DatabaseError("malformed answer: data is a boolean")
    if isinstance(data, int):
        return SqlResult(rowcount=data)
    if isinstance(data, Mapping):
        return SqlResult(rowcount=1)  # an INSERT answered with the inserted row
    if isinstance(data, list):
        if not data:
            return SqlResult()
        if not all(isinstance(row, Mapping) for row in data):
            raise DatabaseError("malformed answer: rows must be objects")
        columns = tuple(data[0])
        if any(len(row) != len(columns) for row in data):
            raise DatabaseError("malformed answer: rows have different columns")
        try:
            rows = tuple(tuple(_value(row[c]) for c in columns) for row in data)
        except KeyError as exc:
            raise DatabaseError("malformed answer: rows have different columns") from exc
        return SqlResult(columns=columns, rows=rows)
    raise DatabaseError(f"malformed answer: unexpected data of type {type(data).__name__}")


class ElixirHttpExecutor:
    """One pooled ``httpx.AsyncClient``; every call sends ``traceparent`` and ``X-Request-ID``."""

    dialect = "elixir"

    def __init__(self, config: ElixirHttpConfig, *, client: httpx.AsyncClient | None = None):
        self._config = config
        self._policy = RetryPolicy(retries=config.retries, total_timeout=config.total_timeout)
        self._execute_url = config.base_url.rstrip("/") + "/execute"
        self._health_url = config.base_url.rstrip("/") + "/health"
        self._tls_context = self._tls(config)
        self._given = client
        # One pooled client per event loop: a pooled connection's streams belong to the loop
        # that opened them, and reusing them from another loop (a test client's thread, a CLI
        # command beside a server) fails with "bound to a different event loop". A server
        # process runs one loop, so it has exactly one client.
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def _new_client(self) -> httpx.AsyncClient:
        config = self._config
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if config.token:
            headers["Authorization"] = f"Bearer {config.token}"
        return httpx.AsyncClient(
            headers=headers,
            timeout=self._timeout(config.total_timeout),
            limits=httpx.Limits(
                max_connections=config.pool_size, max_keepalive_connections=config.pool_size
            ),
            trust_env=False,  # no proxy from the environment between us and the database
            verify=self._tls_context,
        )

    @property
    def _client(self) -> httpx.AsyncClient:
        if self._given is not None:
            return self._given
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            for other in [stale for stale in self._clients if stale.is_closed()]:
                del self._clients[other]  # loops that ended: their clients are unusable
            client = self._clients[loop] = self._new_client()
        return client

    @staticmethod
    def _tls(config: ElixirHttpConfig) -> ssl.SSLContext | bool:
        if not config.base_url.startswith("https://"):
            return True  # plain http: nothing to verify, skip loading the CA bundle
        context = ssl.create_default_context(cafile=certifi.where())
        if config.ca_bundle:
            context.load_verify_locations(cafile=config.ca_bundle)
        return context

    @property
    def config(self) -> ElixirHttpConfig:
        return self._config

    def _timeout(self, remaining: float) -> httpx.Timeout:
        c = self._config
        return httpx.Timeout(
            connect=min(c.connect_timeout, remaining),
            read=min(c.read_timeout, remaining),
            write=min(c.read_timeout, remaining),
            pool=min(c.connect_timeout, remaining),
        )

    def _body(self, sql: str, params: Sequence[SqlValue]) -> bytes:
        if self._config.inline:
            return msgspec.json.encode({"sql": render(sql, params)})
        placeholders = len(split_placeholders(sql)) - 1
        if placeholders != len(params):
            render(sql, params)  # raises the same PlaceholderMismatch as inline mode
        for index, value in enumerate(params):
            check_value(value, index, inline=False)
        return msgspec.json.encode({"sql": sql, "params": list(params)})

    async def execute(
        self, sql: str, params: Sequence[SqlValue] = (), *, idempotent: bool = False
    ) -> SqlResult:
        statement = describe(sql)
        body = self._body(sql, params)  # refuses unsafe values before anything is sent
        headers = {"traceparent": _current_traceparent(), "X-Request-ID": _current_request_id()}
        start = time.perf_counter()

        async def attempt(remaining: float) -> SqlResult:
            return await self._send(body, headers, remaining)

        try:
            result, tries = await run_with_retries(
                attempt,
                self._policy,
                read=statement.is_read,
                idempotent=idempotent,
                store="elixir",
                statement=statement,
            )
        except SqlError as exc:
            log_statement(
                "elixir", statement, start, outcome=type(exc).__name__, reason=str(exc)[:200]
            )
            raise
        log_statement(
            "elixir",
            statement,
            start,
            attempts=tries,
            rows=len(result.rows),
            rowcount=result.rowcount,
        )
        return result

    async def _send(self, body: bytes, headers: dict[str, str], remaining: float) -> SqlResult:
        if remaining <= 0:
            raise DatabaseUnavailable("the total SQL timeout ran out before sending")
        try:
            with anyio.fail_after(remaining):
                response = await self._client.post(
                    self._execute_url,
                    content=body,
                    headers=headers,
                    timeout=self._timeout(remaining),
                )
        except TimeoutError as exc:
            raise OutcomeUnknown("the total SQL timeout ran out while waiting") from exc
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise DatabaseUnavailable(f"cannot reach the database: {exc!r}") from exc
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise DatabaseError(f"request could not be built: {exc!r}") from exc
        except httpx.ProxyError as exc:
            raise DatabaseUnavailable(f"proxy refused the request: {exc!r}") from exc
        except httpx.TimeoutException as exc:
            raise OutcomeUnknown(f"no answer in time after sending: {exc!r}") from exc
        except httpx.TransportError as exc:
            raise OutcomeUnknown(f"connection lost after sending: {exc!r}") from exc
        return self._decode(response)

    @staticmethod
    def _decode(response: httpx.Response) -> SqlResult:
        status = response.status_code
        if status in _UNAVAILABLE_STATUSES:
            raise DatabaseUnavailable(f"database answered HTTP {status}")
        if status != 200:
            raise DatabaseError(f"database answered HTTP {status}")
        try:
            answer = msgspec.json.decode(response.content, type=_Answer)
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise DatabaseError(f"malformed answer from the database: {exc}") from exc
        if not answer.success:
            raise translate_reason(answer.error or "unknown error")
        return _result(answer.data)

    async def ping(self) -> float:
        start = time.perf_counter()
        try:
            response = await self._client.get(
                self._health_url,
                headers={
                    "traceparent": _current_traceparent(),
                    "X-Request-ID": _current_request_id(),
                },
                timeout=self._timeout(self._config.total_timeout),
            )
        except httpx.TransportError as exc:
            raise DatabaseUnavailable(f"cannot reach the database: {exc!r}") from exc
        if response.status_code != 200:
            raise DatabaseUnavailable(f"database health answered HTTP {response.status_code}")
        return time.perf_counter() - start

    async def close(self) -> None:
        if self._given is not None:
            await self._given.aclose()
            return
        here = asyncio.get_running_loop()
        clients, self._clients = self._clients, {}
        for loop, client in clients.items():
            if loop is here:
                await client.aclose()
            # Another loop's client cannot be awaited from here; its sockets close with it.
