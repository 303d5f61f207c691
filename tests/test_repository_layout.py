"""The top-level packages are this repository's, and the layering contracts hold and bite."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT = [sys.executable, "-m", "importlinter.cli"]


@pytest.mark.parametrize("name", ["core", "ports", "adapters", "entrypoints"])
def test_top_level_packages_come_from_this_repository(name: str) -> None:
    # PyPI has unrelated distributions that install `entrypoints` and `adapters`.
    module = __import__(name)
    assert Path(module.__file__).resolve().is_relative_to(ROOT / "src")


def _lint(src: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
            "--config",
            str(ROOT / "importlinter.ini"),
        ],
        cwd=src,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_layering_contracts_hold() -> None:
    result = _lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("target", "line", "contract"),
    [
        ("core/domain/errors.py", "import litestar", "plain Python"),
        ("ports/clock.py", "from adapters.system import SystemClock", "Hexagonal layers"),
        ("adapters/system.py", "import adapters.sql.sqlite", "independent of each other"),
        ("entrypoints/cli/runtime.py", "import entrypoints.http.app", "share only"),
        ("core/domain/errors.py", "import sqlite3", "plain Python"),
    ],
)
def test_a_deliberate_violation_in_a_copy_is_reported(
    tmp_path: Path, target: str, line: str, contract: str
) -> None:
    copy = tmp_path / "src"
    shutil.copytree(ROOT / "src", copy)
    with (copy / target).open("a") as f:
        f.write(f"\n{line}  # deliberate violation\n")
    result = _lint(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
