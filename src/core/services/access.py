"""Who may act on a merchant: members see it, owners manage it, admins pass everywhere."""

from __future__ import annotations

from core.domain.errors import PermissionDenied
from core.domain.identity import MerchantRole, Principal
from core.domain.merchants import Merchant, MerchantNotFound
from ports.payments import MerchantRepository

__all__ = ["MerchantAccess"]


class MerchantAccess:
    def __init__(self, merchants: MerchantRepository) -> None:
        self._merchants = merchants

    async def member(self, principal: Principal, merchant_id: str) -> Merchant:
        """The merchant when the caller belongs to it (or is an admin); 404 otherwise."""
        merchant, _ = await self._resolve(principal, merchant_id)
        return merchant

    async def owner(self, principal: Principal, merchant_id: str) -> Merchant:
        """The merchant when the caller owns it (or is an admin); staff get 403."""
        merchant, role = await self._resolve(principal, merchant_id)
        if role is MerchantRole.STAFF:
            raise PermissionDenied("only the merchant's owners may do this")
        return merchant

    async def _resolve(
        self, principal: Principal, merchant_id: str
    ) -> tuple[Merchant, MerchantRole | None]:
        if principal.is_admin:
            merchant = await self._merchants.get(merchant_id)
            if merchant is None:
                raise MerchantNotFound("no such merchant")
            return merchant, None
        # The merchant and the caller's membership in one read; a non-member sees a 404.
        found = await self._merchants.get_with_role(merchant_id, principal.user_id)
        if found is None or found[1] is None:
            raise MerchantNotFound("no such merchant")
        return found
