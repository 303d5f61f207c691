"""The server factory freezes the start-up heap, so full collections stay short under load.

Run in a child process: a frozen heap would otherwise stay frozen for the rest of the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TEST_KEYS, TEST_SECRET

CHILD = """
import gc
from litestar.testing import TestClient
from entrypoints.http.app import create_app_from_env

app = create_app_from_env()
before = gc.get_freeze_count()
with TestClient(app) as client:
    assert client.get("/health/live").status_code == 200
    frozen = gc.get_freeze_count()
    garbage = []
    garbage.append(garbage)  # a cycle made after start-up is still collected
    del garbage
    collected = gc.collect()
import sys
print("asyncpg" in sys.modules, before, frozen, collected)
"""


def _start_up(tmp_path: Path) -> list[str]:
    env = {
        **os.environ,
        "FINTECH_ENV": "development",
        "FINTECH_SQL_URL": f"sqlite:///{tmp_path}/heap.db",
        "FINTECH_SECRET_KEY": TEST_SECRET,
        "FINTECH_ENCRYPTION_KEYS": TEST_KEYS,
        "FINTECH_LOG_LEVEL": "WARNING",
        "FINTECH_JOBS_ENABLED": "false",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.split()[-4:]


def test_server_factory_freezes_what_start_up_allocated(tmp_path: Path) -> None:
    before, frozen, collected = map(int, _start_up(tmp_path)[1:])
    assert before == 0
    assert frozen > 10_000  # modules, routes, the container
    assert collected >= 1


def test_a_sqlite_server_never_loads_the_postgresql_driver(tmp_path: Path) -> None:
    assert _start_up(tmp_path)[0] == "False"
