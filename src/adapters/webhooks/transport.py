"""The guarded webhook egress: every address checked, the connection pinned to it.

A URL is accepted only when it is https (http and loopback too in development), carries no
credentials, and every address its host resolves to is public (see
``core.domain.webhooks.forbidden_address_reason``). The same check runs again before each
delivery, and the request then goes to the address that passed (with the original ``Host``
header and TLS server name), so a DNS answer that changes between check and connect
(rebinding) cannot steer a delivery inside the network. Redirects are never followed and
proxies from the environment are ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

import anyio
import httpx

from core.domain.webhooks import (
    MAX_URL_LENGTH,
    AttemptOutcome,
    WebhookUrlRefused,
    forbidden_address_reason,
)
from ports.webhooks import HostResolver, SendResult

__all__ = ["GuardedWebhookTransport", "Target"]


class Target:
    """A checked URL: the host name, the port and the address to connect to."""

    def __init__(self, url: httpx.URL, host: str, address: str) -> None:
        self.url = url
        self.host = host
        self.address = address


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class GuardedWebhookTransport:
    def __init__(
        self,
        *,
        resolver: HostResolver,
        timeout: float,
        allow_insecure: bool = False,
        client: httpx.AsyncClient | None = None,
        user_agent: str = "fintech-webhooks/1",
    ) -> None:
        self._resolver = resolver
        self._timeout = timeout
        self._allow_insecure = allow_insecure
        self._user_agent = user_agent
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=0),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def check_url(self, url: str) -> None:
        await self._target(url)

    async def _target(self, url: str) -> Target:
        if len(url) > MAX_URL_LENGTH:
            raise WebhookUrlRefused(f"longer than {MAX_URL_LENGTH} characters")
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise WebhookUrlRefused("not a valid URL") from None
        scheme = parts.scheme.lower()
        allowed = ("https", "http") if self._allow_insecure else ("https",)
        if scheme not in allowed:
            raise WebhookUrlRefused("the scheme must be https")
        if parts.username is not None or parts.password is not None:
            raise WebhookUrlRefused("credentials in the URL are not allowed")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise WebhookUrlRefused("the URL has no host")
        if any(ch.isspace() for ch in url) or any(ord(ch) < 32 for ch in url):
            raise WebhookUrlRefused("not a valid URL")
        port = port or (443 if scheme == "https" else 80)
        addresses = [host] if _is_ip(host) else await self._resolver.resolve(host, port)
        if not addresses:
            raise WebhookUrlRefused("the host does not resolve")
        for address in addresses:
            reason = forbidden_address_reason(address, allow_loopback=self._allow_insecure)
            if reason is not None:
                raise WebhookUrlRefused(f"the host resolves to a forbidden {reason}")
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError):
            raise WebhookUrlRefused("not a valid URL") from None
        return Target(parsed, host, addresses[0])

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> SendResult:
        try:
            target = await self._target(url)
        except WebhookUrlRefused as exc:
            return SendResult(outcome=AttemptOutcome.REFUSED, error=exc.reason)
        pinned = target.url.copy_with(host=target.address.split("%", 1)[0])
        request_headers = {
            **headers,
            "Host": target.url.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": self._user_agent,
        }
        extensions = {}
        if target.url.scheme == "https" and not _is_ip(target.host):
            extensions["sni_hostname"] = target.host
        request = self._client.build_request(
            "POST", pinned, content=body, headers=request_headers, extensions=extensions
        )
        try:
            with anyio.fail_after(self._timeout):
                response = await self._client.send(request, stream=True)
                await response.aclose()  # the body is not needed; never read an unbounded one
        except (TimeoutError, httpx.TimeoutException):
            return SendResult(outcome=AttemptOutcome.TIMEOUT, error="timed out")
        except httpx.HTTPError as exc:
            return SendResult(outcome=AttemptOutcome.CONNECTION_ERROR, error=type(exc).__name__)
        if 200 <= response.status_code < 300:
            return SendResult(outcome=AttemptOutcome.SUCCEEDED, status_code=response.status_code)
        return SendResult(
            outcome=AttemptOutcome.HTTP_ERROR,
            status_code=response.status_code,
            error=f"HTTP {response.status_code}",
        )
