"""``fintech serve`` as a real process on a free loopback port, for tests that need one."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

__all__ = ["FINTECH", "free_port", "serving"]

FINTECH = [sys.executable, "-m", "entrypoints.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    env: Mapping[str, str],
    cwd: Path,
    *,
    probe: str = "/health/ready",
    stderr: IO[str] | int = subprocess.DEVNULL,
) -> Iterator[str]:
    """Start the server, wait until ``probe`` answers 200 (30 s at most), yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [*FINTECH, "serve", "--port", str(port)],
        env=dict(env),
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode} before answering")
            try:
                if httpx.get(base + probe, timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        else:
            pytest.fail(f"the server did not answer {probe} within 30 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
