"""The configured bank aggregators by name."""

from __future__ import annotations

from collections.abc import Mapping

from ports.bank_aggregation import BankAggregator

__all__ = ["AggregatorRegistry"]


class AggregatorRegistry:
    def __init__(self, default: str, aggregators: Mapping[str, BankAggregator]) -> None:
        if default not in aggregators:
            raise ValueError(f"default provider {default!r} is not among the configured ones")
        self._default = default
        self._aggregators = dict(aggregators)

    @property
    def default(self) -> str:
        return self._default

    def get(self, name: str) -> BankAggregator | None:
        return self._aggregators.get(name)
