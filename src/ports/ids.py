"""Id generation: sortable, type-prefixed opaque ids (``pay_01J…``)."""

from __future__ import annotations

from typing import Protocol


class IdGenerator(Protocol):
    def new(self, prefix: str) -> str:
        """A fresh id such as ``pay_01JD7Q…``; ids made later sort after earlier ones."""
        ...
