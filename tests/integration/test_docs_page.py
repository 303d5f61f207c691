"""The docs page renders in a real browser from a real server with no internet access."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.test_cli import _env
from tests.serving import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    with serving(_env(tmp_path), tmp_path, probe="/health/live") as base:
        yield base


@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (.ci/run installs Debian's chromium with apt-get)",
)
def test_the_docs_page_lists_the_operations_in_headless_chromium(
    served: str, tmp_path: Path
) -> None:
    assert CHROMIUM is not None
    paths = list(httpx.get(f"{served}/schema/openapi.json").json()["paths"])
    assert "/health/ready" in paths
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=10000",
            "--dump-dom",
            f"{served}/schema",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = result.stdout
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Unable to render this definition" not in dom
    assert "Fintech API" in dom
    assert "opblock" in dom, "Swagger UI rendered no operation blocks"
    for path in paths:
        assert f'data-path="{path}"' in dom, path
