from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ports.sql import SqlExecutor
from tests.contract.stores import STORES


@pytest.fixture(params=sorted(STORES))
async def executor(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlExecutor]:
    async with STORES[request.param](tmp_path) as ex:
        yield ex
