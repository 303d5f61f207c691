"""Market data when the provider misbehaves on the wire: slow, hanging up, flooding."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from adapters.market.alphavantage import AlphaVantageMarketData
from core.domain.market import MarketProviderFailed

pytestmark = pytest.mark.anyio


@contextmanager
def misbehaving_server(behaviour: str) -> Iterator[str]:
    """A loopback TCP server that answers each connection badly in one way."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                if behaviour == "slow":
                    stop.wait(2)  # longer than the client's timeout
                elif behaviour == "hang_up":
                    pass  # close without a byte
                elif behaviour == "garbage":
                    conn.sendall(b"NOT HTTP AT ALL\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@pytest.mark.parametrize("behaviour", ["slow", "hang_up", "garbage"])
async def test_a_broken_provider_is_a_provider_error_within_the_timeout(behaviour: str) -> None:
    with misbehaving_server(behaviour) as url:
        adapter = AlphaVantageMarketData(api_key="k", base_url=url, timeout=0.3)
        started = time.monotonic()
        try:
            with pytest.raises(MarketProviderFailed) as info:
                await adapter.quote("MSFT")
        finally:
            await adapter.aclose()
    assert time.monotonic() - started < 3
    assert info.value.code == "provider_error"
    assert "127.0.0.1" not in info.value.detail
