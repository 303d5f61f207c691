"""Operational counters the core and adapters record (Prometheus behind it, in entrypoints)."""

from __future__ import annotations

from typing import Protocol


class OperationsMetrics(Protocol):
    """What other areas report so operators can see it at ``/metrics``."""

    def provider_call(
        self, provider: str, operation: str, seconds: float, error: str | None = None
    ) -> None:
        """One call to an external provider; ``error`` is a short failure name, else None."""
        ...

    def idempotent_replay(self, operation: str) -> None:
        """A request was answered from its idempotency key's stored response."""
        ...

    def recovery_action(self, workflow: str, action: str) -> None:
        """Recovery drove a half-done workflow forward or compensated it."""
        ...
