"""The idempotency service's rules, against a hand-written in-memory store."""

from __future__ import annotations

import attrs
import pytest

from core.domain.errors import NotFound, ValidationFailed
from core.domain.idempotency import (
    IdempotencyKeyReused,
    IdempotencyRequestInProgress,
    scope_of,
)
from core.services.idempotency import IdempotencyService, Outcome
from ports.idempotency import KeyRecord, StoredResponse
from tests.fakes import FakeClock, SequentialIds

pytestmark = pytest.mark.anyio

OK = StoredResponse(201, "application/json", b'{"id":"pay_1"}')


class MemoryKeys:
    """An ``IdempotencyStore`` in a dict, with the same conditional semantics as the SQL one."""

    def __init__(self) -> None:
        self.rows: dict[str, KeyRecord] = {}

    async def reserve(self, record: KeyRecord, created_at: str) -> KeyRecord | None:
        held = self.rows.get(record.scope)
        if held is None:
            self.rows[record.scope] = record
            return None
        return held

    async def take_over(self, held: KeyRecord, lease_token: str, locked_until: str) -> bool:
        row = self.rows.get(held.scope)
        if row is None or row.lease_token != held.lease_token or row.response is not None:
            return False
        self.rows[held.scope] = attrs.evolve(
            row, lease_token=lease_token, locked_until=locked_until
        )
        return True

    async def complete(self, scope: str, lease_token: str, response: StoredResponse) -> bool:
        row = self.rows.get(scope)
        if row is None or row.lease_token != lease_token or row.response is not None:
            return False
        self.rows[scope] = attrs.evolve(row, response=response)
        return True

    async def release(self, scope: str, lease_token: str) -> None:
        if (row := self.rows.get(scope)) is not None and row.lease_token == lease_token:
            del self.rows[scope]

    async def expire(self, scope: str, lease_token: str, at: str) -> None:
        if (row := self.rows.get(scope)) is not None and row.lease_token == lease_token:
            self.rows[scope] = attrs.evolve(row, locked_until=at)

    async def purge(self, created_before: str) -> int:
        return 0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(clock: FakeClock) -> IdempotencyService:
    return IdempotencyService(MemoryKeys(), clock, SequentialIds(), ttl_seconds=86_400)


async def call(
    service: IdempotencyService, work: object, *, key: str = "k", fingerprint: str = "fp"
) -> tuple[StoredResponse, bool]:
    return await service.run(
        principal_id="usr_1",
        method="POST",
        route="/r",
        key=key,
        fingerprint=fingerprint,
        operation_prefix="pay",
        operation=work,  # type: ignore[arg-type]
    )


async def test_a_completed_request_is_replayed_without_running_again(
    service: IdempotencyService,
) -> None:
    runs: list[str] = []

    async def work(op: str) -> Outcome:
        runs.append(op)
        return Outcome(OK)

    assert await call(service, work) == (OK, False)
    assert await call(service, work) == (OK, True)
    assert len(runs) == 1
    with pytest.raises(IdempotencyKeyReused):
        await call(service, work, fingerprint="other")


async def test_a_request_in_flight_blocks_the_same_key_until_its_lease_ends(
    service: IdempotencyService, clock: FakeClock
) -> None:
    seen: list[str] = []

    async def crashes(op: str) -> Outcome:
        seen.append(op)
        # A second request with the key arrives while this one is still running.
        with pytest.raises(IdempotencyRequestInProgress):
            await call(service, resumes)
        raise RuntimeError("the store failed half-way")  # answered as a 5xx

    async def resumes(op: str) -> Outcome:
        seen.append(op)
        return Outcome(OK)

    with pytest.raises(RuntimeError):
        await call(service, crashes)
    # A 5xx ends the lease at once and keeps the operation id: the retry resumes it.
    assert await call(service, resumes) == (OK, False)
    assert seen == [seen[0], seen[0]]


async def test_a_dead_requests_key_becomes_retryable_when_its_lease_expires(
    clock: FakeClock,
) -> None:
    keys = MemoryKeys()
    service = IdempotencyService(keys, clock, SequentialIds(), ttl_seconds=86_400)
    # What a process that died mid-request leaves behind: a reservation, no response.
    await keys.reserve(
        KeyRecord(
            scope=scope_of("usr_1", "POST", "/r", "k"),
            fingerprint="fp",
            operation_id="pay_dead",
            lease_token="req_dead",
            locked_until="2026-01-31T12:00:30.000000Z",
            response=None,
        ),
        "2026-01-31T12:00:00.000000Z",
    )
    seen: list[str] = []

    async def work(op: str) -> Outcome:
        seen.append(op)
        return Outcome(OK)

    with pytest.raises(IdempotencyRequestInProgress):
        await call(service, work)
    clock.advance(31)
    assert await call(service, work) == (OK, False)
    assert seen == ["pay_dead"]


async def test_validation_failures_store_nothing_and_free_the_key(
    service: IdempotencyService,
) -> None:
    async def invalid(op: str) -> Outcome:
        raise ValidationFailed("bad")

    async def fine(op: str) -> Outcome:
        return Outcome(OK)

    with pytest.raises(ValidationFailed):
        await call(service, invalid, fingerprint="first body")
    assert await call(service, fine, fingerprint="corrected body") == (OK, False)


async def test_a_final_4xx_answer_is_stored_but_a_raised_error_is_not(
    service: IdempotencyService,
) -> None:
    conflict = StoredResponse(409, "application/problem+json", b'{"code":"x"}')

    async def refused(op: str) -> Outcome:
        return Outcome(conflict)

    async def missing(op: str) -> Outcome:
        raise NotFound("gone")

    assert await call(service, refused, key="a") == (conflict, False)
    assert await call(service, refused, key="a") == (conflict, True)
    with pytest.raises(NotFound):
        await call(service, missing, key="b")
    with pytest.raises(NotFound):
        await call(service, missing, key="b")  # not replayed: it ran again
