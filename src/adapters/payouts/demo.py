"""A payout rail for development and tests: remembers each payout, fails when told to."""

from __future__ import annotations

import structlog

from ports.payouts import PayoutOrder, PayoutResult

__all__ = ["DemoPayouts"]

log = structlog.get_logger("fintech.payouts")


class DemoPayouts:
    """Idempotent by settlement id within the process, like a bank's payment reference.

    ``refuse`` makes the next payouts fail definitively (the settlement fails and its
    transfer is reversed); ``unreachable`` makes them raise (outcome unknown: recovery
    asks again later).
    """

    def __init__(self) -> None:
        self.sent: dict[str, PayoutResult] = {}
        self.orders: dict[str, PayoutOrder] = {}
        self.refuse = False
        self.unreachable = False

    async def send(self, order: PayoutOrder) -> PayoutResult:
        known = self.sent.get(order.settlement_id)
        if known is not None:
            return known
        if self.unreachable:
            raise ConnectionError("demo payout rail unreachable")
        if self.refuse:
            result = PayoutResult(succeeded=False, failure_reason="refused by the demo rail")
        else:
            result = PayoutResult(succeeded=True, reference=f"demo-{order.settlement_id}")
        self.sent[order.settlement_id] = result
        self.orders[order.settlement_id] = order
        log.info(
            "payout_sent",
            settlement_id=order.settlement_id,
            amount=order.amount,
            currency=order.currency,
            succeeded=result.succeeded,
        )
        return result
