"""Bank aggregation: the provider picked by configuration, the token vault, the services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import attrs
import httpx
from dishka import Provider, Scope, provide

from adapters.banking.cache import InMemoryConnectionCache
from adapters.banking.demo import DemoBank
from adapters.banking.plaid import PLAID_URLS, PlaidBank
from adapters.banking.registry import AggregatorRegistry
from adapters.banking.teller import DEFAULT_TELLER_URL, TellerBank
from adapters.banking.teller_tls import (
    TellerCertificate,
    TellerCertificateError,
    build_ssl_context,
    inspect_certificate,
)
from adapters.banking.webhooks import PlaidWebhookVerifier, TellerWebhookVerifier
from adapters.security.cipher import AesGcmKeyRing
from adapters.sql.banking import SqlBalanceSnapshots, SqlBankConnections, SqlSeenWebhookEvents
from core.services.balance_history import BalanceHistoryService
from core.services.bank_webhooks import BankWebhookService
from core.services.banking import BankingService
from core.services.token_vault import TokenVaultService
from entrypoints.observability.metrics import Metrics
from entrypoints.observability.outbound import ObservedTransport
from entrypoints.observability.tracing import Tracing
from entrypoints.settings import Settings, SettingsError
from ports.audit import AuditLog
from ports.bank_aggregation import BankAggregator, BankAggregators, BankWebhookVerifier
from ports.banking_cache import ConnectionDataCache
from ports.banking_store import BalanceSnapshots, BankConnections, SeenWebhookEvents
from ports.cipher import TokenCipher
from ports.clock import Clock
from ports.ids import IdGenerator

__all__ = [
    "BankClients",
    "BankingProvider",
    "WebhookVerifiers",
    "banking_doctor_rows",
    "build_bank_clients",
    "teller_certificate_check",
]


class WebhookVerifiers(dict[str, BankWebhookVerifier]):
    """Webhook verifiers by provider name: only providers with a configured secret or key."""


@attrs.define
class BankClients:
    """The configured adapters (the default one always among them)."""

    default: str
    teller: TellerBank | None = None
    plaid: PlaidBank | None = None
    demo: DemoBank | None = None

    def registry(self) -> AggregatorRegistry:
        found: dict[str, BankAggregator] = {}
        for name in ("teller", "plaid", "demo"):
            adapter = getattr(self, name)
            if adapter is not None:
                found[name] = adapter
        return AggregatorRegistry(self.default, found)

    async def aclose(self) -> None:
        for adapter in (self.teller, self.plaid):
            if adapter is not None:
                await adapter.aclose()


def teller_certificate_check(settings: Settings, now: datetime) -> TellerCertificate | None:
    """The Teller certificate's facts when one is configured; SettingsError when unusable."""
    if not settings.teller_certificate_path and not settings.teller_private_key_path:
        return None
    try:
        return inspect_certificate(
            settings.teller_certificate_path, settings.teller_private_key_path, now
        )
    except TellerCertificateError as exc:
        raise SettingsError(exc.variable, exc.reason) from None


def banking_doctor_rows(settings: Settings, now: datetime) -> list[tuple[str, str, str]]:
    """``fintech doctor`` rows: provider credentials and the Teller certificate's expiry."""
    rows: list[tuple[str, str, str]] = []
    if settings.teller_certificate_path or settings.teller_private_key_path:
        try:
            cert = teller_certificate_check(settings, now)
        except SettingsError as exc:
            rows.append(("teller certificate", "fail", f"{exc.variable}: {exc.reason}"))
        else:
            assert cert is not None
            days = cert.days_left(now)
            rows.append(
                (
                    "teller certificate",
                    "warn" if days < 30 else "ok",
                    f"expires {cert.not_after.date().isoformat()} ({days} days); {cert.subject}",
                )
            )
    elif settings.resolved_banking_provider == "teller":
        rows.append(("teller certificate", "warn", "none configured (sandbox only)"))
    if settings.resolved_banking_provider == "teller" and not settings.teller_signing_secret:
        rows.append(("teller webhooks", "warn", "TELLER_SIGNING_SECRET unset: webhooks get 401"))
    if settings.plaid_client_id:
        rows.append(("plaid credentials", "ok", f"client id set ({settings.plaid_environment})"))
    return rows


# What ``make_client`` gives its default transport; a transport built here needs them itself.
_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10)


def build_bank_clients(
    settings: Settings,
    clock: Clock,
    metrics: Metrics | None = None,
    tracing: Tracing | None = None,
) -> BankClients:
    """Adapters for every provider with credentials, plus the demo one outside production.

    Provider calls go through ``ObservedTransport``: a span, the provider metrics and the
    ``traceparent`` header on every request (``metrics``/``tracing`` None record nothing).
    """
    tracer = tracing.tracer if tracing is not None else None

    def observed(provider: str, inner: httpx.AsyncHTTPTransport) -> ObservedTransport:
        return ObservedTransport(inner, provider=provider, metrics=metrics, tracer=tracer)

    default = settings.resolved_banking_provider
    if default == "demo" and settings.is_production:
        raise SettingsError("FINTECH_BANKING_PROVIDER", "the demo bank is refused in production")
    clients = BankClients(default=default)
    if settings.teller_certificate_path or default == "teller":
        teller_certificate_check(settings, clock.now())
        context = build_ssl_context(
            settings.teller_certificate_path,
            settings.teller_private_key_path,
            settings.teller_ca_bundle,
        )
        clients.teller = TellerBank(
            ssl_context=context,
            clock=clock,
            base_url=settings.teller_base_url or DEFAULT_TELLER_URL,
            environment=settings.teller_environment,
            client_certificate=bool(settings.teller_certificate_path),
            transport=observed("teller", httpx.AsyncHTTPTransport(verify=context, limits=_LIMITS)),
        )
    if settings.plaid_client_id and settings.plaid_secret:
        clients.plaid = PlaidBank(
            client_id=settings.plaid_client_id,
            secret=settings.plaid_secret,
            clock=clock,
            base_url=settings.plaid_base_url or PLAID_URLS[settings.plaid_environment],
            transport=observed("plaid", httpx.AsyncHTTPTransport(limits=_LIMITS)),
        )
    elif default == "plaid":
        raise SettingsError("PLAID_CLIENT_ID", "Plaid needs PLAID_CLIENT_ID and PLAID_SECRET")
    if not settings.is_production:
        clients.demo = DemoBank(clock, settings.demo_transactions)
    return clients


class BankingProvider(Provider):
    scope = Scope.APP

    @provide
    async def clients(
        self, settings: Settings, clock: Clock, metrics: Metrics, tracing: Tracing
    ) -> AsyncIterator[BankClients]:
        clients = build_bank_clients(settings, clock, metrics, tracing)
        try:
            yield clients
        finally:
            await clients.aclose()

    @provide
    def aggregators(self, clients: BankClients) -> BankAggregators:
        return clients.registry()

    @provide
    def cipher(self, settings: Settings) -> TokenCipher:
        return AesGcmKeyRing(settings.encryption_keys)

    @provide
    def cache(self, settings: Settings, clock: Clock) -> ConnectionDataCache:
        return InMemoryConnectionCache(clock, settings.banking_cache_ttl)

    connections = provide(SqlBankConnections, provides=BankConnections)
    snapshots = provide(SqlBalanceSnapshots, provides=BalanceSnapshots)
    seen = provide(SqlSeenWebhookEvents, provides=SeenWebhookEvents)

    @provide
    def banking(
        self,
        aggregators: BankAggregators,
        connections: BankConnections,
        cipher: TokenCipher,
        cache: ConnectionDataCache,
        audit: AuditLog,
        clock: Clock,
        ids: IdGenerator,
    ) -> BankingService:
        return BankingService(
            aggregators=aggregators,
            connections=connections,
            cipher=cipher,
            cache=cache,
            audit=audit,
            clock=clock,
            ids=ids,
        )

    @provide
    def balance_history(
        self,
        banking: BankingService,
        connections: BankConnections,
        snapshots: BalanceSnapshots,
        clock: Clock,
    ) -> BalanceHistoryService:
        return BalanceHistoryService(
            banking=banking, connections=connections, snapshots=snapshots, clock=clock
        )

    @provide
    def verifiers(self, settings: Settings, clients: BankClients, clock: Clock) -> WebhookVerifiers:
        verifiers = WebhookVerifiers()
        if settings.teller_signing_secret:
            verifiers["teller"] = TellerWebhookVerifier(settings.teller_signing_secret, clock)
        if clients.plaid is not None:
            verifiers["plaid"] = PlaidWebhookVerifier(clients.plaid.webhook_key, clock)
        return verifiers

    @provide
    def webhooks(
        self,
        verifiers: WebhookVerifiers,
        seen: SeenWebhookEvents,
        connections: BankConnections,
        cache: ConnectionDataCache,
        clock: Clock,
    ) -> BankWebhookService:
        return BankWebhookService(
            verifiers=verifiers, seen=seen, connections=connections, cache=cache, clock=clock
        )

    @provide
    def vault(self, connections: BankConnections, cipher: TokenCipher) -> TokenVaultService:
        return TokenVaultService(connections=connections, cipher=cipher)
