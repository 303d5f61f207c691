"""The core authorization helpers other areas build on (fakes only, no framework)."""

from __future__ import annotations

import pytest

from core.domain.errors import NotFound, PermissionDenied
from core.domain.identity import MerchantRole, Principal
from core.services.authorization import (
    OWNER_ONLY,
    require_admin,
    require_member,
    require_self_or_admin,
)
from ports.directory import Membership

pytestmark = pytest.mark.anyio

ADMIN = Principal("usr_ADMIN", frozenset({"admin"}))


class FakeMemberships:
    def __init__(self, *members: Membership) -> None:
        self._members = {(m.merchant_id, m.user_id): m for m in members}

    async def add(self, merchant_id: str, user_id: str, role: MerchantRole) -> bool:
        if (merchant_id, user_id) in self._members:
            return False
        self._members[merchant_id, user_id] = Membership(merchant_id, user_id, role)
        return True

    async def role_of(self, merchant_id: str, user_id: str) -> MerchantRole | None:
        found = self._members.get((merchant_id, user_id))
        return found.role if found else None

    async def for_user(self, user_id: str) -> list[Membership]:
        return [m for m in self._members.values() if m.user_id == user_id]

    async def for_merchant(self, merchant_id: str) -> list[Membership]:
        return [m for m in self._members.values() if m.merchant_id == merchant_id]


MEMBERS = FakeMemberships(
    Membership("mer_A", "usr_OWNER", MerchantRole.OWNER),
    Membership("mer_A", "usr_STAFF", MerchantRole.STAFF),
)


async def test_members_get_their_role() -> None:
    assert await require_member(MEMBERS, Principal("usr_OWNER"), "mer_A") is MerchantRole.OWNER
    assert await require_member(MEMBERS, Principal("usr_STAFF"), "mer_A") is MerchantRole.STAFF


async def test_outsiders_get_not_found_exactly_as_for_a_missing_merchant() -> None:
    with pytest.raises(NotFound) as outsider:
        await require_member(MEMBERS, Principal("usr_OTHER"), "mer_A")
    with pytest.raises(NotFound) as missing:
        await require_member(MEMBERS, Principal("usr_OTHER"), "mer_NONE")
    assert (outsider.value.code, outsider.value.detail) == (
        missing.value.code,
        missing.value.detail,
    )


async def test_a_member_without_the_required_role_gets_permission_denied() -> None:
    with pytest.raises(PermissionDenied):
        await require_member(MEMBERS, Principal("usr_STAFF"), "mer_A", roles=OWNER_ONLY)
    assert await require_member(MEMBERS, Principal("usr_OWNER"), "mer_A", roles=OWNER_ONLY)


async def test_admins_pass_every_merchant_check() -> None:
    assert await require_member(MEMBERS, ADMIN, "mer_A", roles=OWNER_ONLY) is None
    assert await require_member(MEMBERS, ADMIN, "mer_NONE") is None


def test_require_admin_refuses_users_with_permission_denied() -> None:
    require_admin(ADMIN)
    with pytest.raises(PermissionDenied):
        require_admin(Principal("usr_1"))


def test_per_user_resources_are_not_found_for_other_users() -> None:
    require_self_or_admin(Principal("usr_1"), "usr_1")
    require_self_or_admin(ADMIN, "usr_1")
    with pytest.raises(NotFound):
        require_self_or_admin(Principal("usr_2"), "usr_1")
