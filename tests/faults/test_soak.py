"""A short faulted soak (``just soak`` runs the long one): money stays right under store faults.

The service serves on loopback against the SQL-over-HTTP test server failing 5% of its
statements (503s, dropped connections, late answers, statements run after the executor gave
up); concurrent clients pay, capture, void, refund, settle, repeat keys and time out, always
retrying with the same Idempotency-Key; recovery runs beside them and after them; then every
acknowledged payment, the ledger invariants and the events are checked.
"""

from __future__ import annotations

import pytest
from benchmarks.soak import run

pytestmark = pytest.mark.anyio


async def test_a_faulted_soak_keeps_every_acknowledged_payment_and_the_ledger_right() -> None:
    result = await run(8.0, fault_rate=0.05, workers=6, sql_retries=0, seed=7)
    if not result.ok:
        result.report()
    failed = {name: problems for name, problems in result.checks.items() if problems}
    assert failed == {}
    assert len(result.checks) >= 7
    # The faults really reached the workflows and the clients, and the traffic got through.
    assert sum(result.server.injected.values()) >= 20
    outcomes = result.soak.outcomes
    assert outcomes["503 outcome_unknown"] + outcomes["503 store_unavailable"] >= 5
    assert result.soak.retries >= 5
    assert len(result.soak.payments) >= 10
