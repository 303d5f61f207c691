"""The contract fixtures: ``executor`` (an empty store of each kind) and ``migrated_executor``."""

from __future__ import annotations

from tests.contract.stores import executor, migrated_executor

__all__ = ["executor", "migrated_executor"]
