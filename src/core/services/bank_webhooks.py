"""Incoming provider webhooks: verify, deduplicate by event id, apply the effect once."""

from __future__ import annotations

from collections.abc import Mapping

from core.domain.banking import ConnectionStatus
from core.domain.errors import AuthenticationFailed
from ports.bank_aggregation import BankWebhookEvent, BankWebhookVerifier, WebhookEffect
from ports.banking_cache import ConnectionDataCache
from ports.banking_store import BankConnections, SeenWebhookEvents
from ports.clock import Clock

__all__ = ["BankWebhookService"]


class BankWebhookService:
    def __init__(
        self,
        *,
        verifiers: Mapping[str, BankWebhookVerifier],
        seen: SeenWebhookEvents,
        connections: BankConnections,
        cache: ConnectionDataCache,
        clock: Clock,
    ) -> None:
        self._verifiers = verifiers
        self._seen = seen
        self._connections = connections
        self._cache = cache
        self._clock = clock

    async def receive(
        self, provider: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[BankWebhookEvent, bool]:
        """The verified event and whether it was new (a replay is accepted but ignored)."""
        verifier = self._verifiers.get(provider)
        if verifier is None:
            raise AuthenticationFailed(
                "Webhook signatures cannot be verified for this provider", code="invalid_signature"
            )
        event = await verifier.verify(headers, body)
        if not await self._seen.first_sighting(provider, event.event_id, self._clock.now()):
            return event, False
        await self._apply(event)
        return event, True

    async def _apply(self, event: BankWebhookEvent) -> None:
        affected: set[str] = set()
        if event.external_id:
            found = await self._connections.by_external_id(event.provider, event.external_id)
            affected.update(c.id for c in found)
        if event.provider_account_ids:
            affected.update(self._cache.holding_accounts(event.provider_account_ids))
        now = self._clock.now()
        for connection_id in sorted(affected):
            if event.effect is WebhookEffect.DISCONNECTED:
                await self._connections.set_status(
                    connection_id, ConnectionStatus.RELINK_REQUIRED, now
                )
            elif event.effect is WebhookEffect.REPAIRED:
                await self._connections.set_status(connection_id, ConnectionStatus.ACTIVE, now)
            if event.effect is not WebhookEffect.NONE:
                self._cache.invalidate(connection_id)
