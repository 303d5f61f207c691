"""Authorization checks every use case calls with its principal (HTTP guards are a second line).

Rules (DESIGN.md, API.md):

- Anything outside the caller's scope is ``NotFound`` (404), exactly like a missing resource,
  so callers cannot probe for other tenants' ids.
- A caller inside the scope whose role may not do the action gets ``PermissionDenied`` (403).
- Platform admins pass every merchant check (operators act on any merchant).

Usage from another area's service::

    from core.services.authorization import require_member, require_admin, OWNER_ONLY

    role = await require_member(self._memberships, principal, merchant_id)        # any member
    await require_member(self._memberships, principal, merchant_id, roles=OWNER_ONLY)
    require_admin(principal)
"""

from __future__ import annotations

from collections.abc import Collection

from core.domain.errors import NotFound, PermissionDenied
from core.domain.identity import MerchantRole, Principal
from ports.directory import Memberships

__all__ = [
    "ANY_MEMBER",
    "OWNER_ONLY",
    "MerchantNotFound",
    "require_admin",
    "require_member",
    "require_self_or_admin",
]

ANY_MEMBER: frozenset[MerchantRole] = frozenset({MerchantRole.OWNER, MerchantRole.STAFF})
OWNER_ONLY: frozenset[MerchantRole] = frozenset({MerchantRole.OWNER})


class MerchantNotFound(NotFound):
    code = "not_found"
    title = "Not found"


async def require_member(
    memberships: Memberships,
    principal: Principal,
    merchant_id: str,
    roles: Collection[MerchantRole] = ANY_MEMBER,
) -> MerchantRole | None:
    """The caller's role in ``merchant_id`` if it is one of ``roles``.

    Admins always pass (the result is their membership role, or None when they are not a
    member). Raises ``NotFound`` when the caller is not a member (indistinguishable from a
    merchant that does not exist) and ``PermissionDenied`` when the member's role is not in
    ``roles``.
    """
    role = await memberships.role_of(merchant_id, principal.user_id)
    if principal.is_admin:
        return role
    if role is None:
        raise MerchantNotFound("No such merchant")
    if role not in roles:
        raise PermissionDenied(f"The {role.value} role may not do this")
    return role


def require_admin(principal: Principal) -> None:
    """Raise ``PermissionDenied`` unless the caller holds the platform ``admin`` role."""
    if not principal.is_admin:
        raise PermissionDenied("This requires the admin role")


def require_self_or_admin(principal: Principal, user_id: str) -> None:
    """Per-user resources: the owner or an admin; anyone else gets ``NotFound``."""
    if principal.user_id != user_id and not principal.is_admin:
        raise NotFound("No such resource")
