"""Market data: the provider picked from settings, the cache, the fan-out runner, the service."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from dishka import Provider, Scope, provide

from adapters.market.alphavantage import AlphaVantageMarketData
from adapters.market.cache import MemoryCache
from adapters.market.demo import DemoMarketData
from adapters.market.tasks import AnyioTaskRunner
from core.services.market import MarketPolicy, MarketService
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.outbound import ObservedTransport
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings
from ports.cache import Cache
from ports.clock import Clock
from ports.market_data import MarketData
from ports.tasks import TaskRunner

__all__ = ["MarketProvider"]


class MarketProvider(Provider):
    scope = Scope.APP

    @provide
    async def market_data(
        self, settings: Settings, clock: Clock, metrics: Metrics, tracing: Tracing
    ) -> AsyncIterator[MarketData]:
        """Alpha Vantage with a key; the demo provider otherwise (refused in production).

        Calls go through ``ObservedTransport`` (span, provider metrics, ``traceparent``); it
        sits below the adapter's key-adding transport and records only the templated path.
        """
        if settings.resolved_market_provider == "alphavantage" and settings.alphavantage_api_key:
            transport = ObservedTransport(
                httpx.AsyncHTTPTransport(retries=1),
                provider="alphavantage",
                metrics=metrics,
                tracer=tracing.tracer,
            )
            client = AlphaVantageMarketData(
                api_key=settings.alphavantage_api_key,
                base_url=settings.alphavantage_base_url,
                transport=transport,
            )
            try:
                yield client
            finally:
                await client.aclose()
        else:
            yield DemoMarketData(clock)

    @provide
    def cache(self, clock: Clock) -> Cache:
        return MemoryCache(clock)

    tasks = provide(AnyioTaskRunner, provides=TaskRunner)

    @provide
    def policy(self, settings: Settings) -> MarketPolicy:
        return MarketPolicy(
            quote_ttl=float(settings.quote_cache_ttl),
            history_ttl=float(settings.history_cache_ttl),
            search_ttl=float(settings.history_cache_ttl),
        )

    service = provide(MarketService)
