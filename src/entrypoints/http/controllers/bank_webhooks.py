"""``/v1/webhooks/{teller,plaid}``: authenticated by the provider's signature, not a token."""

from __future__ import annotations

from typing import Any

import structlog
from dishka.integrations.litestar import FromDishka
from litestar import Controller, Request, post

from core.services.bank_webhooks import BankWebhookService
from entrypoints.http.dto.banking import WebhookAck
from entrypoints.http.errors import problem_responses

__all__ = ["BankWebhooksController"]

log = structlog.get_logger("fintech.banking.webhooks")


class BankWebhooksController(Controller):
    path = "/v1/webhooks"
    tags = ["webhooks"]

    async def _receive(
        self, provider: str, request: Request[Any, Any, Any], service: BankWebhookService
    ) -> WebhookAck:
        body = await request.body()
        event, new = await service.receive(provider, dict(request.headers), body)
        log.info(
            "bank_webhook_received",
            provider=provider,
            event_type=event.type,
            effect=event.effect.value,
            duplicate=not new,
        )
        return WebhookAck(received=True, duplicate=not new)

    @post("/teller", status_code=200, responses=problem_responses(401))
    async def teller(
        self, request: Request[Any, Any, Any], service: FromDishka[BankWebhookService]
    ) -> WebhookAck:
        """Teller events signed with ``Teller-Signature``; a replayed event id is ignored."""
        return await self._receive("teller", request, service)

    @post("/plaid", status_code=200, responses=problem_responses(401))
    async def plaid(
        self, request: Request[Any, Any, Any], service: FromDishka[BankWebhookService]
    ) -> WebhookAck:
        """Plaid events signed with the ``Plaid-Verification`` JWT; a replay is ignored."""
        return await self._receive("plaid", request, service)
