"""Net-worth use cases: snapshots computed from linked accounts or given, and their series."""

from __future__ import annotations

from datetime import date

import attrs

from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import Principal
from core.domain.net_worth import (
    CurrencyTotal,
    NetWorthSnapshot,
    NoLinkedAccounts,
    SnapshotSource,
    totals_from_accounts,
)
from core.domain.personal import check_amount, check_currency, invalid
from ports.audit import AuditLog
from ports.clock import Clock
from ports.ids import IdGenerator
from ports.linked_finances import LinkedFinances
from ports.personal import NetWorthRepository

__all__ = ["ManualTotals", "NetWorthService", "SnapshotPage"]

MAX_LIMIT = 200


@attrs.frozen
class ManualTotals:
    assets: int
    liabilities: int
    currency: str = "USD"


@attrs.frozen
class SnapshotPage:
    items: tuple[NetWorthSnapshot, ...]
    next_cursor: str | None


class NetWorthService:
    def __init__(
        self,
        repo: NetWorthRepository,
        linked: LinkedFinances,
        clock: Clock,
        ids: IdGenerator,
        audit: AuditLog,
    ) -> None:
        self._repo = repo
        self._linked = linked
        self._clock = clock
        self._ids = ids
        self._audit = audit

    async def snapshot(
        self, principal: Principal, manual: ManualTotals | None, as_of: date | None = None
    ) -> NetWorthSnapshot:
        """Record a snapshot: ``manual`` totals, or computed from the caller's linked accounts."""
        today = self._clock.now().date()
        if as_of is not None and as_of > today:
            raise invalid("as_of", "must not be in the future")
        if manual is not None:
            errors: list[FieldError] = []
            for check in (
                lambda: check_amount(manual.assets, "assets"),
                lambda: check_amount(manual.liabilities, "liabilities"),
                lambda: check_currency(manual.currency),
            ):
                try:
                    check()
                except ValidationFailed as exc:
                    errors.extend(exc.errors)
            if errors:
                raise ValidationFailed("The snapshot is not valid: see errors.", errors=errors)
            totals: tuple[CurrencyTotal, ...] = (
                CurrencyTotal(manual.currency, manual.assets, manual.liabilities),
            )
            source = SnapshotSource.MANUAL
        else:
            accounts = await self._linked.accounts(principal.user_id)
            if not accounts:
                raise NoLinkedAccounts(
                    "No linked accounts to compute net worth from: link a bank account,"
                    " or give assets and liabilities"
                )
            totals = totals_from_accounts(accounts)
            source = SnapshotSource.LINKED_ACCOUNTS
        snapshot = NetWorthSnapshot(
            id=self._ids.new("nws"),
            user_id=principal.user_id,
            as_of=as_of or today,
            source=source,
            totals=totals,
            created_at=self._clock.now(),
        )
        await self._repo.add(snapshot)
        await self._audit.record(
            actor_id=principal.user_id, action="net_worth.snapshot", target=snapshot.id
        )
        return snapshot

    async def series(
        self,
        principal: Principal,
        start: date | None,
        end: date | None,
        *,
        limit: int = 50,
        cursor: str | None = None,
    ) -> SnapshotPage:
        """The caller's snapshots with ``start <= as_of <= end``, oldest first."""
        if start is not None and end is not None and start > end:
            raise invalid("start", "must not be after end")
        if not 1 <= limit <= MAX_LIMIT:
            raise invalid("limit", f"must be between 1 and {MAX_LIMIT}")
        after = _decode(cursor) if cursor else None
        rows = await self._repo.between(principal.user_id, start, end, after=after, limit=limit + 1)
        more = len(rows) > limit
        items = tuple(rows[:limit])
        next_cursor = _encode(items[-1]) if more and items else None
        return SnapshotPage(items=items, next_cursor=next_cursor)


def _encode(last: NetWorthSnapshot) -> str:
    return f"{last.as_of.isoformat()}.{last.id}"


def _decode(cursor: str) -> str:
    as_of, dot, last_id = cursor.partition(".")
    try:
        date.fromisoformat(as_of)
    except ValueError:
        raise invalid("cursor", "is not a cursor this API issued") from None
    if not dot or not last_id.replace("_", "").isalnum():
        raise invalid("cursor", "is not a cursor this API issued")
    return f"{as_of}|{last_id}"
