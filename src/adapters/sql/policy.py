"""What the remote executors share: statement fingerprints and the retry policy.

The policy (architecture decision 0005):

- ``DatabaseUnavailable`` (refused, 502/503/504, no pooled connection): the store did not
  run it; retried for every statement;
- ``DatabaseError`` (500, another status, a malformed answer): unknown; retried for reads;
- ``OutcomeUnknown`` (timeout or connection lost after sending): unknown; retried for reads
  and for writes marked ``idempotent=True``;
- ``ConstraintViolation``, ``StatementRejected``: the store answered; never retried.

Retries are bounded (``retries`` extra attempts) with full-jitter exponential backoff, and
never outlive the total deadline. If an earlier attempt of a write may have run, a later
``DatabaseUnavailable`` cannot prove it did not, so the caller gets ``OutcomeUnknown``.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

import anyio
import attrs
import structlog

from ports.sql import DatabaseError, DatabaseUnavailable, OutcomeUnknown, SqlError

__all__ = ["RetryPolicy", "Statement", "describe", "log_statement", "run_with_retries"]

T = TypeVar("T")
log = structlog.get_logger("fintech.sql")

_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()+", re.DOTALL)
_IDENT = r'"?([A-Za-z_][A-Za-z0-9_]*)"?'
_TABLE_PATTERNS = (
    re.compile(r"\bINSERT\s+INTO\s+" + _IDENT, re.IGNORECASE),
    re.compile(r"^UPDATE\s+" + _IDENT, re.IGNORECASE),
    re.compile(r"\bDELETE\s+FROM\s+" + _IDENT, re.IGNORECASE),
    re.compile(r"\b(?:TABLE|INDEX)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?" + _IDENT, re.IGNORECASE),
    re.compile(r"\bFROM\s+" + _IDENT, re.IGNORECASE),
)


@attrs.frozen
class Statement:
    """What may be logged about a statement: never its values, never its full text."""

    kind: str  # first keyword, lower case: select, insert, update, delete, create, ...
    table: str
    digest: str  # first 10 hex digits of the SHA-256 of the SQL text

    @property
    def is_read(self) -> bool:
        return self.kind == "select"

    @property
    def fingerprint(self) -> str:
        return f"{self.kind} {self.table}".strip()


@lru_cache(maxsize=2048)
def describe(sql: str) -> Statement:
    """The statement's kind, main table and digest (cached per SQL text)."""
    body = _LEADING_NOISE.sub("", sql, count=1)
    first = body.split(None, 1)[0].lower() if body.strip() else ""
    table = ""
    for pattern in _TABLE_PATTERNS:
        match = pattern.search(body)
        if match:
            table = match.group(1).lower()
            break
    digest = hashlib.sha256(sql.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return Statement(kind=first, table=table, digest=digest)


@attrs.frozen
class RetryPolicy:
    retries: int = 3
    base_delay: float = 0.05
    max_delay: float = 1.0
    total_timeout: float = 30.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        cap = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(0, cap)  # noqa: S311 - jitter, not security

    def may_retry(self, error: SqlError, *, read: bool, idempotent: bool) -> bool:
        if isinstance(error, DatabaseUnavailable):
            return True
        if isinstance(error, OutcomeUnknown):
            return read or idempotent
        if isinstance(error, DatabaseError):
            return read
        return False


def log_statement(store: str, statement: Statement, started: float, **fields: Any) -> None:
    """The remote store's line per statement: fingerprint, digest, timing; never values or SQL.

    Named apart from the ``sql_statement`` debug line every store gets from TracedExecutor:
    this one carries what only the wire knows (store, attempts, the refused outcome).
    """
    failed = "outcome" in fields
    (log.warning if failed else log.info)(
        "sql_round_trip",
        store=store,
        statement=statement.fingerprint,
        sql_digest=statement.digest,
        duration_ms=round((time.perf_counter() - started) * 1e3, 3),
        **fields,
    )


async def run_with_retries(
    attempt: Callable[[float], Awaitable[T]],
    policy: RetryPolicy,
    *,
    read: bool,
    idempotent: bool,
    store: str = "",
    statement: Statement | None = None,
) -> tuple[T, int]:
    """Call ``attempt(remaining_seconds)`` until it succeeds or the policy says stop.

    Returns the result and the number of attempts made; each retry is logged.
    """
    deadline = time.monotonic() + policy.total_timeout
    maybe_ran = False
    tries = 0
    while True:
        tries += 1
        remaining = deadline - time.monotonic()
        try:
            return await attempt(remaining), tries
        except SqlError as error:
            if isinstance(error, (OutcomeUnknown, DatabaseError)) and not read:
                maybe_ran = True
            delay = policy.backoff(tries - 1)
            retry = (
                tries <= policy.retries
                and policy.may_retry(error, read=read, idempotent=idempotent)
                and deadline - time.monotonic() > delay
            )
            if not retry:
                if maybe_ran and isinstance(error, DatabaseUnavailable):
                    raise OutcomeUnknown(
                        f"an earlier attempt may have run; the last one failed: {error}"
                    ) from error
                raise
            log.info(
                "sql_retry",
                store=store,
                statement=statement.fingerprint if statement else "",
                sql_digest=statement.digest if statement else "",
                attempt=tries,
                error=type(error).__name__,
                backoff_ms=round(delay * 1e3, 1),
            )
            await anyio.sleep(delay)
