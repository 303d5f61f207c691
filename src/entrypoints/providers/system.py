"""Settings (from the container's context), clock and id generation."""

from __future__ import annotations

from dishka import Provider, Scope, from_context, provide

from adapters.system import SystemClock, UlidGenerator
from entrypoints.settings import Settings
from ports.clock import Clock
from ports.ids import IdGenerator


class SystemProvider(Provider):
    scope = Scope.APP

    settings = from_context(provides=Settings, scope=Scope.APP)
    clock = provide(SystemClock, provides=Clock)
    ids = provide(UlidGenerator, provides=IdGenerator)
