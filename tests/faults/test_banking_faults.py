"""Banking under failure: no partial cache after a provider fault, rotation races, sync."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from adapters.security.cipher import AesGcmKeyRing
from adapters.sql.banking import SqlBankConnections
from adapters.sql.migrator import Migrator
from adapters.sql.sqlite import SqliteExecutor
from core.domain.banking import BankProviderError, Connection, ConnectionStatus
from core.domain.errors import PermissionDenied
from core.domain.identity import SYSTEM, Principal
from core.services.token_vault import TokenVaultService
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from ports.bank_aggregation import BankAggregators
from ports.cipher import SealedSecret
from tests.auth import auth_headers
from tests.banking_fakes import ScriptedBank, registry
from tests.fakes import FakeSystemProvider, override

pytestmark = pytest.mark.anyio


@pytest.fixture
def scripted() -> ScriptedBank:
    return ScriptedBank()


@pytest.fixture
async def scripted_client(settings: Settings, scripted: ScriptedBank) -> AsyncIterator[Any]:
    app = create_app(settings, FakeSystemProvider(), override(BankAggregators, registry(scripted)))
    async with AsyncTestClient(app=app) as client:
        yield client


@pytest.fixture
def alice(settings: Settings) -> dict[str, str]:
    return auth_headers(settings)


OLD = ("old", b"o" * 32)
NEW = ("new", b"n" * 32)


async def test_a_provider_fault_caches_nothing_and_the_next_read_recovers(
    scripted_client, scripted: ScriptedBank, alice
) -> None:
    await scripted_client.post("/v1/banking/exchange", json={"public_token": "good"}, headers=alice)
    scripted.fail = BankProviderError("bank down")
    assert (await scripted_client.get("/v1/banking/transactions", headers=alice)).status_code == 502
    scripted.fail = None
    response = await scripted_client.get("/v1/banking/transactions", headers=alice)
    assert response.status_code == 200
    assert response.json()["total"] == 5
    assert scripted.calls["transactions"] == 1  # the failed fetch stopped at accounts


class RacingConnections(SqlBankConnections):
    """Another rotation reseals every row right after this one read them."""

    def __init__(self, executor: SqliteExecutor, other: AesGcmKeyRing) -> None:
        super().__init__(executor)
        self._other = other

    async def sealed_not_under(self, key_id: str) -> list[tuple[str, SealedSecret]]:
        stale = await super().sealed_not_under(key_id)
        for cid, sealed in stale:
            fresh = self._other.seal(self._other.open(sealed, context=cid), context=cid)
            await super().reseal(cid, sealed, fresh)
        return stale


async def test_a_concurrent_rotation_is_never_overwritten(tmp_path: Path) -> None:
    executor = SqliteExecutor(str(tmp_path / "race.db"))
    await Migrator(executor).migrate()
    ring = AesGcmKeyRing([NEW, OLD])
    plain = SqlBankConnections(executor)
    connection = Connection(
        "con_1", "usr_1", "demo", "ext", "Demo", ConnectionStatus.ACTIVE, datetime.now(UTC)
    )
    await plain.add(connection, AesGcmKeyRing([OLD]).seal("token", context="con_1"))
    vault = TokenVaultService(connections=RacingConnections(executor, ring), cipher=ring)
    report = await vault.rotate(SYSTEM)
    stored = await plain.sealed_token("con_1")
    await executor.close()
    assert (report.rotated, report.skipped) == (0, 1)
    assert stored is not None
    assert ring.open(stored, context="con_1") == "token"


async def test_only_operators_may_rotate(tmp_path: Path) -> None:
    executor = SqliteExecutor(str(tmp_path / "perm.db"))
    vault = TokenVaultService(connections=SqlBankConnections(executor), cipher=AesGcmKeyRing([NEW]))
    with pytest.raises(PermissionDenied):
        await vault.rotate(Principal(user_id="usr_1"))
    await executor.close()
