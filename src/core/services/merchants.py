"""Merchants: create (the caller becomes owner), list, read, members, balances, ledger."""

from __future__ import annotations

from core.domain.errors import FieldError, ValidationFailed
from core.domain.identity import MerchantRole, Principal
from core.domain.ledger import Transfer
from core.domain.merchants import Merchant, UserNotFound
from core.domain.money import parse_currency
from core.domain.timestamps import rfc3339
from core.services.access import MerchantAccess
from ports.clock import Clock
from ports.directory import Memberships, UserDirectory
from ports.ids import IdGenerator
from ports.payments import Balance, LedgerRepository, MerchantRepository

__all__ = ["MerchantService"]

MAX_NAME = 200


class MerchantService:
    def __init__(
        self,
        merchants: MerchantRepository,
        memberships: Memberships,
        users: UserDirectory,
        ledger: LedgerRepository,
        access: MerchantAccess,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._merchants = merchants
        self._memberships = memberships
        self._users = users
        self._ledger = ledger
        self._access = access
        self._clock = clock
        self._ids = ids

    async def create(
        self,
        principal: Principal,
        *,
        name: str,
        default_currency: str,
        currencies: list[str] | None = None,
    ) -> Merchant:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise ValidationFailed(
                "name must be 1-200 characters",
                errors=[FieldError("name", "1-200 characters, not blank")],
            )
        default = parse_currency(default_currency, "default_currency")
        accepted = [default]
        for code in currencies or []:
            parse_currency(code, "currencies")
            if code not in accepted:
                accepted.append(code)
        merchant = Merchant(
            id=self._ids.new("mer"),
            name=name,
            default_currency=default,
            currencies=tuple(accepted),
            status="active",
            created_at=rfc3339(self._clock.now()),
        )
        await self._merchants.add(merchant)
        await self._memberships.add(merchant.id, principal.user_id, MerchantRole.OWNER)
        return merchant

    async def page(self, principal: Principal, *, limit: int, after: str | None) -> list[Merchant]:
        if principal.is_admin:
            return await self._merchants.page(ids=None, limit=limit, after=after)
        ids = [m.merchant_id for m in await self._memberships.for_user(principal.user_id)]
        return await self._merchants.page(ids=ids, limit=limit, after=after)

    async def get(self, principal: Principal, merchant_id: str) -> Merchant:
        return await self._access.member(principal, merchant_id)

    async def add_member(
        self, principal: Principal, merchant_id: str, *, email: str, role: MerchantRole
    ) -> tuple[str, MerchantRole]:
        """Add the user with ``email``; returns (user id, role). Owners and admins only."""
        await self._access.owner(principal, merchant_id)
        user_id = await self._users.id_for_email(email)
        if user_id is None:
            raise UserNotFound("no user has that email")
        added = await self._memberships.add(merchant_id, user_id, role)
        if not added:
            current = await self._memberships.role_of(merchant_id, user_id)
            return user_id, current or role
        return user_id, role

    async def balances(self, principal: Principal, merchant_id: str) -> list[Balance]:
        await self._access.member(principal, merchant_id)
        return await self._ledger.balances(merchant_id)

    async def ledger(
        self,
        principal: Principal,
        merchant_id: str,
        *,
        limit: int,
        before: tuple[str, str] | None,
    ) -> list[Transfer]:
        await self._access.member(principal, merchant_id)
        return await self._ledger.list_for_merchant(merchant_id, limit=limit, before=before)
