"""The one HTTP client factory and retry loop of the bank adapters.

Retries: a request that never reached the provider (connect failure), a 429 and a 5xx are
retried with exponential backoff and jitter, honouring ``Retry-After`` up to a bound. A
timeout is retried only for idempotent calls (a read). Past the bound the response is
returned as it is and the adapter maps it to an error.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import anyio
import attrs
import httpx
import msgspec
import structlog

from core.domain.banking import BankProviderError

__all__ = ["RetryPolicy", "decode", "make_client", "retry_after_seconds", "send"]

log = structlog.get_logger("fintech.banking.http")
Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")


def decode(raw: bytes, kind: type[T], provider: str) -> T:
    """Decode a provider payload; a shape we do not understand is a provider error (502)."""
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.DecodeError as exc:
        log.error("provider_payload_invalid", provider=provider, error=str(exc)[:200])
        raise BankProviderError(
            f"The bank provider ({provider}) sent an unexpected answer"
        ) from None


@attrs.frozen
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 8.0  # a longer Retry-After is not waited for: the caller is told instead

    def backoff(self, attempt: int) -> float:
        delay: float = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not security


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def make_client(
    base_url: str,
    *,
    verify: ssl.SSLContext | bool = True,
    headers: dict[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The HTTP client of every bank adapter (``transport`` lets unit tests mock the wire)."""
    return httpx.AsyncClient(
        base_url=base_url,
        verify=verify,
        headers=headers,
        transport=transport,
        timeout=httpx.Timeout(30.0, connect=5.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        follow_redirects=False,
    )


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    policy: RetryPolicy,
    sleep: Sleep = anyio.sleep,
    idempotent: bool = True,
    **kwargs: Any,
) -> httpx.Response:
    """One logical call with bounded retries; transport failures end as BankProviderError."""
    for attempt in range(1, policy.attempts + 1):
        last = attempt == policy.attempts
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.ConnectError as exc:
            if _tls_refused(exc) or last:
                raise _transport_error(provider, exc) from exc
            await sleep(policy.backoff(attempt))
            continue
        except httpx.TimeoutException as exc:
            if not idempotent or last:
                raise BankProviderError(f"The bank provider ({provider}) timed out") from exc
            await sleep(policy.backoff(attempt))
            continue
        except (httpx.TransportError, ssl.SSLError) as exc:
            # A TLS alert after the handshake (TLS 1.3 refusing our client certificate) can
            # surface as a bare ssl.SSLError from the stream rather than an httpx error.
            raise _transport_error(provider, exc) from exc
        if response.status_code != 429 and response.status_code < 500:
            return response
        wait = retry_after_seconds(response.headers.get("retry-after"))
        if last or (wait is not None and wait > policy.max_delay):
            return response
        log.info("provider_retry", provider=provider, status=response.status_code, attempt=attempt)
        await sleep(wait if wait is not None else policy.backoff(attempt))
    raise AssertionError("unreachable")  # pragma: no cover


def _tls_refused(exc: BaseException) -> bool:
    """Whether a TLS failure is anywhere in the exception's chain (httpx wraps ssl errors)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return True
        text = f"{type(current).__name__} {current}".lower()
        if any(s in text for s in ("ssl", "certificate", "handshake", "tlsv1")):
            return True
        current = current.__cause__ or current.__context__
    return False


def _transport_error(provider: str, exc: Exception) -> BankProviderError:
    if _tls_refused(exc):
        log.error("provider_tls_failed", provider=provider, error=str(exc))
        return BankProviderError(
            f"The TLS handshake with the bank provider ({provider}) failed: the client "
            "certificate is missing or was refused, or the server is not trusted"
        )
    log.error("provider_unreachable", provider=provider, error_type=type(exc).__name__)
    return BankProviderError(f"The bank provider ({provider}) could not be reached")
