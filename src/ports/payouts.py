"""Paying a settlement out to the merchant's bank."""

from __future__ import annotations

from typing import Protocol

import attrs


@attrs.frozen
class PayoutOrder:
    """``settlement_id`` is the idempotency reference: sending it twice pays once."""

    settlement_id: str
    merchant_id: str
    currency: str
    amount: int


@attrs.frozen
class PayoutResult:
    succeeded: bool
    reference: str | None = None
    failure_reason: str | None = None


class Payouts(Protocol):
    async def send(self, order: PayoutOrder) -> PayoutResult:
        """Send (or look up) the payout; a definite refusal is ``succeeded=False``.

        Raising means the outcome is unknown: the settlement stays where it is and recovery
        asks again later.
        """
        ...
