"""Events feed, webhook endpoints, the guarded egress, the dispatcher and job leases."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator

from dishka import Provider, Scope, provide

from adapters.security.sealed_secrets import AesGcmSealer
from adapters.sql.event_feed import SqlEventFeed
from adapters.sql.jobs import SqlJobLeases
from adapters.sql.webhooks import SqlWebhookDeliveries, SqlWebhookEndpoints
from adapters.webhooks.resolver import SystemResolver
from adapters.webhooks.transport import GuardedWebhookTransport
from core.domain.webhooks import RetryPolicy
from core.services.webhook_delivery import WebhookDispatcher
from core.services.webhooks import WebhookService
from entrypoints.settings import Settings
from ports.clock import Clock
from ports.jobs import JobLeases
from ports.webhooks import (
    EventFeed,
    HostResolver,
    SecretSealer,
    WebhookDeliveries,
    WebhookEndpoints,
    WebhookTransport,
)

__all__ = ["WebhookProvider", "instance_name"]

_INSTANCE = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def instance_name() -> str:
    """This process's name in claims and leases (host, pid and a random suffix)."""
    return _INSTANCE


class WebhookProvider(Provider):
    scope = Scope.APP

    feed = provide(SqlEventFeed, provides=EventFeed)
    endpoints = provide(SqlWebhookEndpoints, provides=WebhookEndpoints)
    deliveries = provide(SqlWebhookDeliveries, provides=WebhookDeliveries)
    resolver = provide(SystemResolver, provides=HostResolver)
    leases = provide(SqlJobLeases, provides=JobLeases)
    service = provide(WebhookService)

    @provide
    def sealer(self, settings: Settings) -> SecretSealer:
        return AesGcmSealer(settings.encryption_keys)

    @provide
    async def transport(
        self, settings: Settings, resolver: HostResolver
    ) -> AsyncIterator[WebhookTransport]:
        # Development alone may call http:// and loopback receivers (local testing).
        transport = GuardedWebhookTransport(
            resolver=resolver,
            timeout=settings.webhook_timeout,
            allow_insecure=settings.env == "development",
        )
        try:
            yield transport
        finally:
            await transport.aclose()

    @provide
    def retry_policy(self, settings: Settings) -> RetryPolicy:
        return RetryPolicy(
            base_seconds=settings.webhook_backoff_base,
            max_delay_seconds=settings.webhook_backoff_max,
            horizon_seconds=float(settings.webhook_horizon),
            jitter=settings.webhook_backoff_jitter_percent / 100,
        )

    @provide
    def dispatcher(
        self,
        settings: Settings,
        feed: EventFeed,
        endpoints: WebhookEndpoints,
        deliveries: WebhookDeliveries,
        transport: WebhookTransport,
        sealer: SecretSealer,
        clock: Clock,
        policy: RetryPolicy,
    ) -> WebhookDispatcher:
        return WebhookDispatcher(
            feed=feed,
            endpoints=endpoints,
            deliveries=deliveries,
            transport=transport,
            sealer=sealer,
            clock=clock,
            policy=policy,
            owner=instance_name(),
            # The claim outlives the longest send, so no other instance takes it mid-flight.
            lease_seconds=settings.webhook_timeout * 2 + 30,
            fanout_window_seconds=settings.webhook_fanout_window,
        )
