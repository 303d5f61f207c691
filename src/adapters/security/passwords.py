"""argon2id password hashing (argon2-cffi), off the event loop and with bounded concurrency."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

import anyio
import anyio.to_thread
from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

__all__ = ["OWASP_MEMORY_KIB", "OWASP_PARALLELISM", "OWASP_TIME_COST", "Argon2PasswordHasher"]

# OWASP Password Storage Cheat Sheet (2024/2025): argon2id, m=19 MiB, t=2, p=1 at least.
OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1

# glibc raises its mmap threshold after freeing a large mmapped block, so from the second
# hash on, argon2's 19 MiB working memory comes from the heap and stays resident after the
# hash: 20 MB or more of RSS for good. A fixed threshold keeps blocks this large mmapped, so
# each is returned to the OS when the hash ends (an mmap per hash: microseconds against the
# hash's tens of milliseconds).
_MMAP_THRESHOLD = 4 * 1024 * 1024
_M_MMAP_THRESHOLD = -3


def _return_large_blocks_to_the_os() -> None:
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)
    except (OSError, AttributeError):
        return  # not glibc (musl has no mallopt): nothing to tune


class Argon2PasswordHasher:
    """argon2id with the given parameters (OWASP's minimum by default).

    Each hash costs ``memory_kib`` of RAM and tens of milliseconds of CPU, so at most
    ``max_concurrent`` run at once: a burst of logins queues instead of exhausting memory.
    """

    def __init__(
        self,
        *,
        time_cost: int = OWASP_TIME_COST,
        memory_kib: int = OWASP_MEMORY_KIB,
        parallelism: int = OWASP_PARALLELISM,
        max_concurrent: int = 4,
    ) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._limiter = anyio.CapacityLimiter(max_concurrent)
        _return_large_blocks_to_the_os()

    @property
    def parameters(self) -> tuple[int, int, int]:
        """(time cost, memory KiB, parallelism)."""
        p = self._argon2
        return (p.time_cost, p.memory_cost, p.parallelism)

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self._argon2.hash, password, limiter=self._limiter)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await anyio.to_thread.run_sync(
            self._verify, password_hash, password, limiter=self._limiter
        )

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._argon2.verify(password_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return bool(self._argon2.check_needs_rehash(password_hash))
        except InvalidHashError:
            return True
