"""An unknown store outcome reaches the client as 503 outcome_unknown, and the retry completes it.

The store applies a write and the connection dies before the answer (``OutcomeUnknown``).
The client is told to retry with the same Idempotency-Key; idempotency stored nothing for
the 5xx, so the retry resumes the same workflow ids and the money moves exactly once.
"""

from __future__ import annotations

import pytest

from core.services.ledger_verification import LedgerVerifier
from tests.faults.test_payments_crashes import World, events_for, open_world

pytestmark = pytest.mark.anyio


async def _verify(world: World) -> None:
    container = world.app.state.dishka_container
    assert await (await container.get(LedgerVerifier)).verify() == []


async def test_an_unknown_outcome_is_a_503_and_the_same_key_retry_moves_money_once(
    sql_url: str,
) -> None:
    async with open_world(sql_url) as world:
        faults = 0
        for n in range(1, 60):
            await world.new_merchant()
            world.faulty.arm(n, after=True)
            first = await world.pay("op")
            world.faulty.disarm()
            if not world.faulty.fired:
                assert first.status_code == 201
                break
            faults += 1
            assert first.status_code == 503, (n, first.text)
            problem = first.json()
            assert problem["code"] == "outcome_unknown"
            assert "same Idempotency-Key" in problem["detail"]
            assert first.headers["retry-after"] == "1"
            assert first.headers["content-type"].startswith("application/problem+json")
            assert "injected" not in first.text
            # The fault has cleared: the retry under the same key completes the same payment.
            retried = await world.pay("op")
            assert retried.status_code == 201, (n, retried.text)
            body = retried.json()
            assert body["status"] == "captured"
            rows = await world.sql(
                "SELECT id, status FROM payments WHERE merchant_id = ?", world.merchant
            )
            assert [(r[0], r[1]) for r in rows] == [(body["id"], "captured")]
            assert await events_for(world, body["id"]) == [
                "payment.authorized",
                "payment.captured",
            ]
            await _verify(world)
        assert faults >= 5, "creating a captured payment should cross several statements"
        await _verify(world)
