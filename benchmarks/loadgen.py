"""Load generators for the HTTP benchmarks: wrk (Debian's package), else a bounded Python client.

Both drive keep-alive HTTP/1.1 connections for a fixed duration and report requests/s, p50,
p99 and the number of error answers (non-2xx/3xx and socket errors). The generator runs on
CPU 1 when the machine has two cores (the server is pinned to CPU 0).
"""

from __future__ import annotations

import abc
import asyncio
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Load", "LoadGenerator", "find_generator", "pinned"]

# Idempotency-Key per request: run prefix + wrk thread id + a per-thread counter.
_UNIQUE_KEYS_LUA = """
local thread_count = 0
function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
end
function init(args)
  prefix = (args[1] or "bench") .. "-" .. tostring(tid) .. "-"
  counter = 0
end
request = function()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. counter
  return wrk.format("POST", nil, wrk.headers, wrk.body)
end
"""


@dataclass(frozen=True)
class Load:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    generator: str


def pinned(cpu: int) -> list[str]:
    """``taskset -c cpu`` when the machine has the core and util-linux is installed."""
    if shutil.which("taskset") and (os.cpu_count() or 1) > cpu:
        return ["taskset", "-c", str(cpu)]
    return []


class LoadGenerator(abc.ABC):
    """What drives a server: wrk when installed, else the bounded Python client."""

    name = "python"

    @abc.abstractmethod
    def get(self, url: str, *, connections: int, duration: float, headers: dict[str, str]) -> Load:
        """Repeat one GET for ``duration`` seconds over ``connections`` connections."""

    @abc.abstractmethod
    def post_unique(
        self,
        url: str,
        *,
        body: bytes,
        connections: int,
        duration: float,
        headers: dict[str, str],
        run_id: str,
    ) -> Load:
        """POST ``body`` with a unique Idempotency-Key per request."""


class Wrk(LoadGenerator):
    def __init__(self, path: str) -> None:
        self.path = path
        self.name = "wrk"

    def _run(
        self, url: str, connections: int, duration: float, args: list[str], after: list[str]
    ) -> Load:
        command = [
            *pinned(1),
            self.path,
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "--latency",
            *args,
            url,
            *(["--", *after] if after else []),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return _parse_wrk(done.stdout)

    def get(self, url: str, *, connections: int, duration: float, headers: dict[str, str]) -> Load:
        return self._run(url, connections, duration, _header_args(headers), [])

    def post_unique(
        self,
        url: str,
        *,
        body: bytes,
        connections: int,
        duration: float,
        headers: dict[str, str],
        run_id: str,
    ) -> Load:
        lua_body = body.decode().replace("\\", "\\\\").replace('"', '\\"')
        script = f'wrk.method = "POST"\nwrk.body = "{lua_body}"\n{_UNIQUE_KEYS_LUA}'
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(script)
        try:
            args = [*_header_args(headers), "-s", handle.name]
            return self._run(url, connections, duration, args, [run_id])
        finally:
            Path(handle.name).unlink(missing_ok=True)


def _header_args(headers: dict[str, str]) -> list[str]:
    return [part for name, value in headers.items() for part in ("-H", f"{name}: {value}")]


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def _parse_wrk(out: str) -> Load:
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if not (p50 and p99 and rps and total):
        raise RuntimeError(f"could not read wrk's output:\n{out}")
    errors = int(non2xx.group(1)) if non2xx else 0
    if sockets:
        errors += sum(int(g) for g in sockets.groups())
    return Load(
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(total.group(1)),
        errors=errors,
        generator="wrk",
    )


class PythonClient(LoadGenerator):
    """Keep-alive HTTP/1.1 over asyncio streams, bounded by duration and connection count."""

    def get(self, url: str, *, connections: int, duration: float, headers: dict[str, str]) -> Load:
        return self._drive(url, "GET", b"", headers, connections, duration, None)

    def post_unique(
        self,
        url: str,
        *,
        body: bytes,
        connections: int,
        duration: float,
        headers: dict[str, str],
        run_id: str,
    ) -> Load:
        headers = {**headers, "Content-Type": "application/json"}
        return self._drive(url, "POST", body, headers, connections, duration, run_id)

    def _drive(
        self,
        url: str,
        method: str,
        body: bytes,
        headers: dict[str, str],
        connections: int,
        duration: float,
        key_prefix: str | None,
    ) -> Load:
        match = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url)
        if not match:
            raise ValueError(f"unsupported URL {url}")
        host, port, target = match.group(1), int(match.group(2)), match.group(3)
        previous = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
        if previous is not None and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {1})
        try:
            latencies, errors, elapsed = asyncio.run(
                _load(host, port, method, target, body, headers, connections, duration, key_prefix)
            )
        finally:
            if previous is not None:
                os.sched_setaffinity(0, previous)
        latencies.sort()
        if not latencies:
            return Load(0.0, 0.0, 0.0, 0, errors, "python")
        return Load(
            rps=len(latencies) / elapsed,
            p50_ms=latencies[len(latencies) // 2] * 1e3,
            p99_ms=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1e3,
            requests=len(latencies),
            errors=errors,
            generator="python",
        )


async def _load(
    host: str,
    port: int,
    method: str,
    target: str,
    body: bytes,
    headers: dict[str, str],
    connections: int,
    duration: float,
    key_prefix: str | None,
) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + duration
    fixed = "".join(f"{k}: {v}\r\n" for k, v in headers.items())

    async def one_connection(worker: int) -> None:
        nonlocal errors
        counter = 0
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while time.perf_counter() < deadline:
                counter += 1
                key = f"Idempotency-Key: {key_prefix}-{worker}-{counter}\r\n" if key_prefix else ""
                head = (
                    f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\n{fixed}{key}"
                    f"Content-Length: {len(body)}\r\n\r\n"
                )
                started = time.perf_counter()
                writer.write(head.encode("latin-1") + body)
                status_line = await reader.readline()
                length, close = 0, False
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                    elif name.lower() == "connection" and "close" in value.lower():
                        close = True
                await reader.readexactly(length)
                latencies.append(time.perf_counter() - started)
                status = int(status_line.split()[1]) if status_line else 599
                if status >= 400:
                    errors += 1
                if close:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(one_connection(i) for i in range(connections)))
    return latencies, errors, time.perf_counter() - started


def find_generator() -> LoadGenerator:
    """wrk when installed (installed with apt-get when missing and running as root)."""
    path = shutil.which("wrk")
    if path is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, env=env, capture_output=True, check=False).returncode:
            # The package lists may be missing or stale: refresh them once, then retry.
            subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=False)
            subprocess.run(install, env=env, capture_output=True, check=False)
        path = shutil.which("wrk")
    return Wrk(path) if path else PythonClient()
