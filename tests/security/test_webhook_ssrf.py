"""SSRF: webhook URLs never reach internal addresses, at registration or at delivery.

IP-literal URLs cover each forbidden class; host names go through a fake resolver, so no
test needs DNS. Production rules apply in ``test``; only ``development`` opens loopback/http.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.webhooks.transport import GuardedWebhookTransport
from core.domain.webhooks import AttemptOutcome, WebhookUrlRefused, forbidden_address_reason
from tests.webhook_support import FakeResolver, receiving

pytestmark = pytest.mark.anyio

FORBIDDEN = {
    "loopback v4": "127.0.0.1",
    "loopback v4 (other)": "127.8.9.10",
    "loopback v6": "[::1]",
    "private 10/8": "10.1.2.3",
    "private 172.16/12": "172.16.0.1",
    "private 192.168/16": "192.168.1.1",
    "private v6 (ULA)": "[fc00::1]",
    "shared address space": "100.64.0.1",
    "link-local v4": "169.254.10.20",
    "link-local v6": "[fe80::1]",
    "multicast v4": "224.0.0.1",
    "multicast v6": "[ff02::1]",
    "reserved v4": "240.0.0.1",
    "broadcast": "255.255.255.255",
    "unspecified v4": "0.0.0.0",
    "unspecified v6": "[::]",
    "metadata v4": "169.254.169.254",
    "metadata v6": "[fd00:ec2::254]",
    "documentation": "192.0.2.10",
    "v4-mapped loopback": "[::ffff:127.0.0.1]",
    "v4-mapped metadata": "[::ffff:169.254.169.254]",
    "NAT64 of loopback": "[64:ff9b::7f00:1]",
    "6to4 of private": "[2002:0a00:0001::1]",
}


@pytest.fixture
async def production_rules() -> AsyncIterator[GuardedWebhookTransport]:
    transport = GuardedWebhookTransport(
        resolver=FakeResolver(
            {
                "public.example": ["93.184.216.34"],
                "internal.example": ["10.0.0.5"],
                "metadata.example": ["169.254.169.254"],
                "mixed.example": ["93.184.216.34", "192.168.0.10"],
                "localhost": ["127.0.0.1", "::1"],
            }
        ),
        timeout=1,
        allow_insecure=False,
    )
    yield transport
    await transport.aclose()


@pytest.mark.parametrize("host", list(FORBIDDEN.values()), ids=list(FORBIDDEN))
async def test_every_forbidden_address_class_is_refused_as_an_ip_literal(
    production_rules: GuardedWebhookTransport, host: str
) -> None:
    with pytest.raises(WebhookUrlRefused) as caught:
        await production_rules.check_url(f"https://{host}/hook")
    assert caught.value.errors[0].field == "url"


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("internal.example", "private"),
        ("metadata.example", "metadata"),
        ("mixed.example", "private"),
        ("localhost", "loopback"),
        ("unknown.example", "does not resolve"),
    ],
)
async def test_host_names_resolving_to_forbidden_addresses_are_refused(
    production_rules: GuardedWebhookTransport, host: str, reason: str
) -> None:
    with pytest.raises(WebhookUrlRefused, match=reason):
        await production_rules.check_url(f"https://{host}/hook")


@pytest.mark.parametrize(
    "url",
    [
        "http://public.example/hook",
        "ftp://public.example/hook",
        "https://user:secret@public.example/hook",
        "https:///no-host",
        "https://public.example:99999/hook",
        "https://public.example/" + "a" * 2100,
        "https://public.example/a b",
        "javascript:alert(1)",
    ],
)
async def test_urls_that_are_not_plain_https_are_refused(
    production_rules: GuardedWebhookTransport, url: str
) -> None:
    with pytest.raises(WebhookUrlRefused):
        await production_rules.check_url(url)


async def test_public_https_urls_are_accepted(production_rules: GuardedWebhookTransport) -> None:
    await production_rules.check_url("https://public.example/hook?x=1")
    await production_rules.check_url("https://93.184.216.34:8443/hook")
    await production_rules.check_url("https://[2606:4700::1111]/hook")


async def test_development_opens_http_and_loopback_but_never_metadata_or_private() -> None:
    transport = GuardedWebhookTransport(resolver=FakeResolver(), timeout=1, allow_insecure=True)
    try:
        await transport.check_url("http://127.0.0.1:8080/hook")
        await transport.check_url("http://[::1]:8080/hook")
        for host in ("169.254.169.254", "[fd00:ec2::254]", "10.0.0.1", "0.0.0.0", "224.0.0.1"):
            with pytest.raises(WebhookUrlRefused):
                await transport.check_url(f"http://{host}/hook")
    finally:
        await transport.aclose()


async def test_delivery_rechecks_the_address_so_dns_rebinding_sends_nothing() -> None:
    """Registered while public, the name later answers loopback: the attempt is refused."""
    with receiving() as receiver:
        resolver = FakeResolver({"rebind.example": ["93.184.216.34"]})
        transport = GuardedWebhookTransport(resolver=resolver, timeout=1, allow_insecure=False)
        try:
            url = f"https://rebind.example:{receiver.port}/hooks/fintech"
            await transport.check_url(url)
            resolver.table["rebind.example"] = ["127.0.0.1"]
            result = await transport.post(url, b"{}", {"Fintech-Event-Id": "evt_1"})
            resolver.table["rebind.example"] = ["169.254.169.254"]
            metadata = await transport.post(url, b"{}", {"Fintech-Event-Id": "evt_1"})
        finally:
            await transport.aclose()
    assert result.outcome is AttemptOutcome.REFUSED
    assert metadata.outcome is AttemptOutcome.REFUSED
    assert "loopback" in (result.error or "")
    assert receiver.requests == []


async def test_redirects_are_not_followed() -> None:
    """A receiver answering 3xx cannot bounce the delivery to an internal address."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(307)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    Thread(target=server.serve_forever, daemon=True).start()
    transport = GuardedWebhookTransport(resolver=FakeResolver(), timeout=1, allow_insecure=True)
    try:
        result = await transport.post(
            f"http://127.0.0.1:{server.server_address[1]}/hook", b"{}", {}
        )
    finally:
        await transport.aclose()
        server.shutdown()
        server.server_close()
    assert result.outcome is AttemptOutcome.HTTP_ERROR
    assert result.status_code == 307


@pytest.mark.parametrize("address", ["8.8.8.8", "2606:4700::1111", "93.184.216.34"])
def test_public_addresses_pass_the_rule(address: str) -> None:
    assert forbidden_address_reason(address) is None
