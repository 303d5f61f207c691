"""Events and audit records of the payments core, written as repeatable steps."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from core.domain.errors import DomainError
from core.domain.identity import Principal
from core.domain.payments import Payment, Refund, event_id, payment_events, refund_view
from core.domain.settlements import Settlement, settlement_event
from ports.audit import AuditLog
from ports.events import Event, EventLog

__all__ = ["Recorder"]

T = TypeVar("T")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Recorder:
    def __init__(self, events: EventLog, audit: AuditLog) -> None:
        self._events = events
        self._audit = audit

    async def _record(
        self, merchant_id: str, found: Iterable[tuple[str, str, dict[str, Any]]]
    ) -> int:
        events = [
            Event(
                id=eid,
                type=kind,
                merchant_id=merchant_id,
                created_at=_when(
                    str(data["updated_at"] if "updated_at" in data else data["created_at"])
                ),
                data=data,
            )
            for eid, kind, data in found
        ]
        # Every event of the change in one statement: each is still written exactly once
        # (derived ids, insert-if-absent), and a crash writes all of them or none.
        return await self._events.record_many(events)

    async def payment(self, payment: Payment, *changes: str) -> int:
        """Record the payment's events; ``changes`` limits them (``captured``, ...)."""
        found = payment_events(payment)
        if changes:
            wanted = {f"payment.{c}" for c in changes}
            found = [f for f in found if f[1] in wanted]
        return await self._record(payment.merchant_id, found)

    async def refund(self, refund: Refund) -> int:
        view = refund_view(refund)
        return await self._record(
            refund.merchant_id, [(event_id(refund.id, "created"), "refund.created", view)]
        )

    async def settlement(self, settlement: Settlement) -> int:
        found = settlement_event(settlement)
        if found is None:
            return 0
        eid, kind, data = found
        event = Event(
            id=eid,
            type=kind,
            merchant_id=settlement.merchant_id,
            created_at=_when(settlement.paid_at or settlement.updated_at),
            data=data,
        )
        return int(await self._events.record(event))

    async def audited(
        self,
        principal: Principal,
        action: str,
        target: str | None,
        work: Callable[[], Awaitable[T]],
    ) -> T:
        """Run ``work`` and append the audit record of its outcome (success or the error code)."""
        try:
            result = await work()
        except DomainError as exc:
            await self._audit.record(
                actor_id=principal.user_id, action=action, target=target, outcome=exc.code
            )
            raise
        found = getattr(result, "id", None)
        await self._audit.record(
            actor_id=principal.user_id,
            action=action,
            target=found if isinstance(found, str) else target,
            outcome="success",
        )
        return result
