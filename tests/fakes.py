"""Hand-written fakes for the ports, wired through the container in tests (no monkeypatching)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dishka import Provider, Scope, provide

from ports.clock import Clock
from ports.ids import IdGenerator


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
        self._mono += seconds


class SequentialIds:
    """Predictable ids: ``pay_0000000001``, ``pay_0000000002``, ..."""

    def __init__(self) -> None:
        self._n = 0

    def new(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}_{self._n:026d}"


class FakeSystemProvider(Provider):
    """Swaps the clock and id generator for the fakes above (the same instances every time)."""

    scope = Scope.APP

    def __init__(self, clock: FakeClock | None = None, ids: SequentialIds | None = None) -> None:
        super().__init__()
        self.fake_clock = clock or FakeClock()
        self.fake_ids = ids or SequentialIds()

    @provide(override=True)
    def clock(self) -> Clock:
        return self.fake_clock

    @provide(override=True)
    def ids(self) -> IdGenerator:
        return self.fake_ids


def override(tp: type[Any], instance: object) -> Provider:
    """A provider that replaces whatever the container provides for ``tp`` with ``instance``."""
    provider = Provider(scope=Scope.APP)
    provider.provide(lambda: instance, provides=tp, override=True)
    return provider
