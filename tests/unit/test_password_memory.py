"""Hashing passwords does not leave argon2's working memory resident (the ≤ 80 MB target)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import anyio
from adapters.security.passwords import Argon2PasswordHasher

def rss_mb():
    with open("/proc/self/status") as f:
        line = next(l for l in f if l.startswith("VmRSS"))
    return int(line.split()[1]) / 1024

async def main():
    hasher = Argon2PasswordHasher()
    await hasher.hash("warm up")
    before = rss_mb()
    async with anyio.create_task_group() as tg:
        for i in range(8):
            tg.start_soon(hasher.hash, f"password {i}")
    print(rss_mb() - before)

anyio.run(main)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc and tunes glibc")
def test_argon2_working_memory_is_returned_after_hashing() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, timeout=60
    )
    grown = float(out.stdout.strip())
    # Four concurrent hashes of 19 MiB each would leave 19-76 MB resident without the tuning.
    assert grown < 10, f"RSS grew by {grown:.1f} MB"
