"""Runs a money-moving handler under its Idempotency-Key and renders what to replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import msgspec
from litestar import Request, Response
from litestar.params import HeaderParameter

from core.domain.errors import DomainError, ValidationFailed
from core.domain.idempotency import fingerprint
from core.services.idempotency import IdempotencyService, Outcome
from entrypoints.http.errors import PROBLEM_JSON, problem_bytes, status_for
from ports.idempotency import StoredResponse

__all__ = ["REPLAYED_HEADER", "IdempotencyKey", "run_idempotent"]

REPLAYED_HEADER = "Idempotent-Replayed"

IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="1-255 printable ASCII characters; required (400 idempotency_key_missing)",
    ),
]
"""The header as a handler parameter, so the OpenAPI document shows it."""


async def run_idempotent(
    request: Request[Any, Any, Any],
    service: IdempotencyService,
    *,
    key: str | None,
    principal_id: str,
    route: str,
    body: msgspec.Struct | None,
    prefix: str,
    success_status: int,
    work: Callable[[str], Awaitable[dict[str, Any]]],
) -> Response[Any]:
    """``work(operation_id)`` returns the API view of the result.

    Domain errors below 500 other than validation failures are final answers: they are
    stored and replayed like successes. Validation failures and 5xx store nothing.
    """
    correlation = request.scope.get("state", {}).get("request_id")

    async def operation(operation_id: str) -> Outcome:
        try:
            view = await work(operation_id)
        except ValidationFailed:
            raise
        except DomainError as exc:
            status = status_for(exc)
            if status >= 500:
                raise
            payload = problem_bytes(
                status=status,
                code=exc.code,
                title=exc.title,
                detail=exc.detail,
                correlation_id=correlation,
            )
            return Outcome(StoredResponse(status, PROBLEM_JSON, payload))
        encoded = msgspec.json.encode(view)
        return Outcome(StoredResponse(success_status, "application/json", encoded))

    canonical = msgspec.to_builtins(body) if body is not None else None
    response, replayed = await service.run(
        principal_id=principal_id,
        method=request.method,
        route=route,
        key=key,
        fingerprint=fingerprint(request.method, request.url.path, canonical),
        operation_prefix=prefix,
        operation=operation,
    )
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(
        content=response.body,
        status_code=response.status,
        media_type=response.content_type,
        headers=headers,
    )
