"""Re-encryption of every stored provider token under the active key (key rotation)."""

from __future__ import annotations

from collections.abc import Callable

import attrs

from core.domain.errors import PermissionDenied
from core.domain.identity import Principal
from ports.banking_store import BankConnections
from ports.cipher import SecretUnreadable, TokenCipher

__all__ = ["RotationReport", "TokenVaultService"]


@attrs.frozen
class RotationReport:
    active_key_id: str
    candidates: int
    rotated: int
    skipped: int  # changed concurrently (another run got there first)
    unreadable: tuple[str, ...]  # connection ids whose key is gone or whose data is damaged


class TokenVaultService:
    def __init__(self, *, connections: BankConnections, cipher: TokenCipher) -> None:
        self._connections = connections
        self._cipher = cipher

    async def pending(self) -> int:
        return len(await self._connections.sealed_not_under(self._cipher.active_key_id))

    async def rotate(
        self,
        principal: Principal,
        on_start: Callable[[int], None] | None = None,
        on_row: Callable[[], None] | None = None,
    ) -> RotationReport:
        """Reseal each token not under the active key; safe to re-run after an interruption.

        Each row is one conditional update (``WHERE key_id = old``), so a crash leaves every
        row either fully old or fully new, and a concurrent run never double-writes.
        """
        if not principal.is_admin:
            raise PermissionDenied("Only operators may rotate encryption keys")
        active = self._cipher.active_key_id
        rows = await self._connections.sealed_not_under(active)
        if on_start is not None:
            on_start(len(rows))
        rotated = skipped = 0
        unreadable: list[str] = []
        for connection_id, sealed in rows:
            try:
                plaintext = self._cipher.open(sealed, context=connection_id)
            except SecretUnreadable:
                unreadable.append(connection_id)
            else:
                fresh = self._cipher.seal(plaintext, context=connection_id)
                if await self._connections.reseal(connection_id, sealed, fresh):
                    rotated += 1
                else:
                    skipped += 1
            if on_row is not None:
                on_row()
        return RotationReport(
            active_key_id=active,
            candidates=len(rows),
            rotated=rotated,
            skipped=skipped,
            unreadable=tuple(unreadable),
        )
