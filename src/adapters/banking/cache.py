"""The in-process cache of provider data per connection, with a time to live."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ports.banking_cache import ConnectionData
from ports.clock import Clock

__all__ = ["InMemoryConnectionCache"]


class InMemoryConnectionCache:
    """Entries expire ``ttl_seconds`` after they were stored (monotonic clock).

    Bounded: past ``max_entries`` the oldest entry is dropped. Webhooks invalidate entries;
    each worker process has its own cache, so a TTL bounds how stale another worker can be.
    """

    def __init__(self, clock: Clock, ttl_seconds: float, max_entries: int = 10_000) -> None:
        self._clock = clock
        self._ttl = ttl_seconds
        self._max = max_entries
        self._entries: dict[str, tuple[float, ConnectionData]] = {}
        self._lock = threading.Lock()

    def get(self, connection_id: str) -> ConnectionData | None:
        entry = self._entries.get(connection_id)
        if entry is None:
            return None
        stored_at, data = entry
        if self._clock.monotonic() - stored_at >= self._ttl:
            self.invalidate(connection_id)
            return None
        return data

    def put(self, data: ConnectionData) -> None:
        if self._ttl <= 0:
            return
        with self._lock:
            self._entries.pop(data.connection_id, None)
            while len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[data.connection_id] = (self._clock.monotonic(), data)

    def invalidate(self, connection_id: str) -> None:
        with self._lock:
            self._entries.pop(connection_id, None)

    def holding_accounts(self, provider_account_ids: Iterable[str]) -> list[str]:
        wanted = set(provider_account_ids)
        return sorted(
            cid
            for cid, (_, data) in list(self._entries.items())
            if any(a.provider_account_id in wanted for a in data.accounts)
        )
