"""Idempotent execution of money-moving requests (API.md "Idempotency").

The reservation is one insert. A completed response is replayed as stored. A request that
failed validation forgets its key; one that ended in an error keeps its operation id but ends
its lease, so the retry resumes the same payment, refund or settlement instead of starting
a second one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

import attrs

from core.domain.errors import ValidationFailed
from core.domain.idempotency import (
    IdempotencyKeyReused,
    IdempotencyRequestInProgress,
    scope_of,
    validate_key,
)
from core.domain.timestamps import rfc3339
from ports.clock import Clock
from ports.idempotency import IdempotencyStore, KeyRecord, StoredResponse
from ports.ids import IdGenerator
from ports.metrics import OperationsMetrics
from ports.sql import OutcomeUnknown

__all__ = ["IdempotencyService", "Outcome"]

DEFAULT_LEASE_SECONDS = 30


@attrs.frozen
class Outcome:
    """What an operation answered, and whether it is final enough to replay."""

    response: StoredResponse
    store: bool = True


class IdempotencyService:
    def __init__(
        self,
        store: IdempotencyStore,
        clock: Clock,
        ids: IdGenerator,
        *,
        ttl_seconds: int,
        lease_seconds: int = DEFAULT_LEASE_SECONDS,
        metrics: OperationsMetrics | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._ttl = ttl_seconds
        self._lease = lease_seconds
        self._metrics = metrics

    async def run(
        self,
        *,
        principal_id: str,
        method: str,
        route: str,
        key: str | None,
        fingerprint: str,
        operation_prefix: str,
        operation: Callable[[str], Awaitable[Outcome]],
    ) -> tuple[StoredResponse, bool]:
        """(response, replayed). ``operation`` receives the operation id the key owns."""
        key = validate_key(key)
        now = self._clock.now()
        token = self._ids.new("req")
        locked_until = rfc3339(now + timedelta(seconds=self._lease))
        record = KeyRecord(
            scope=scope_of(principal_id, method, route, key),
            fingerprint=fingerprint,
            operation_id=self._ids.new(operation_prefix),
            lease_token=token,
            locked_until=locked_until,
            response=None,
        )
        try:
            held = await self._store.reserve(record, rfc3339(now))
        except OutcomeUnknown:
            # The reservation may have landed: end its lease so that the client's retry
            # (told to come back in a second) resumes the key instead of waiting it out.
            await self._store.expire(record.scope, token, rfc3339(self._clock.now()))
            raise
        operation_id = record.operation_id
        if held is not None:
            if held.fingerprint != fingerprint:
                raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
            if held.response is not None:
                if self._metrics is not None:
                    self._metrics.idempotent_replay(route)
                return held.response, True
            if held.locked_until > rfc3339(now) or not await self._store.take_over(
                held, token, locked_until
            ):
                raise IdempotencyRequestInProgress(
                    "a request with this Idempotency-Key is still being processed"
                )
            operation_id = held.operation_id
        try:
            outcome = await operation(operation_id)
        except ValidationFailed:
            await self._store.release(record.scope, token)
            raise
        except BaseException:
            await self._store.expire(record.scope, token, rfc3339(self._clock.now()))
            raise
        if outcome.store:
            try:
                await self._store.complete(record.scope, token, outcome.response)
            except OutcomeUnknown:
                # Either the response is stored (the retry replays it) or the lease ends
                # now (the retry resumes the finished operation and stores it).
                await self._store.expire(record.scope, token, rfc3339(self._clock.now()))
                raise
        else:
            await self._store.expire(record.scope, token, rfc3339(self._clock.now()))
        return outcome.response, False

    async def purge(self) -> int:
        """Delete keys older than the configured retention."""
        cutoff = self._clock.now() - timedelta(seconds=self._ttl)
        return await self._store.purge(rfc3339(cutoff))
