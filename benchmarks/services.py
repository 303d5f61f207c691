"""Start a service on loopback, time it to its first 200, read its peak memory, stop it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

__all__ = ["Service", "ServiceFailed", "free_port"]


class ServiceFailed(RuntimeError):
    """The process exited, or never answered 200, before the deadline."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """One server process (and its workers) on 127.0.0.1."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], port: int, probe: str
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.port = port
        self.probe = probe
        self.base = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115

    def start(self, timeout: float = 180.0) -> float:
        """Spawn the process; seconds from spawn to the first 200 on the probe path."""
        started = time.perf_counter()
        self._process = subprocess.Popen(
            self.argv, env=self.env, stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = started + timeout
        with httpx.Client(base_url=self.base, timeout=2.0) as client:
            while time.perf_counter() < deadline:
                if self._process.poll() is not None:
                    raise ServiceFailed(f"{self.name} exited: {self.log_tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(self.probe).status_code == 200:
                        return time.perf_counter() - started
                time.sleep(0.005)
        self.stop()
        raise ServiceFailed(f"{self.name} did not answer 200 within {timeout:.0f} s")

    def cpu_seconds(self) -> float:
        """User + system CPU time spent so far by the server and its workers."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
        return total / ticks

    def log_tail(self, lines: int = 5) -> str:
        text = Path(self._log.name).read_text(errors="replace").strip().splitlines()
        return " | ".join(text[-lines:])

    def pids(self) -> list[int]:
        """The server process and all its descendants (uvicorn's workers)."""
        if self._process is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    ppid = int(stat.rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry.name))
        found, queue = [], [self._process.pid]
        while queue:
            pid = queue.pop()
            found.append(pid)
            queue.extend(children.get(pid, ()))
        return found

    def peak_rss_mb(self) -> float:
        """Sum of VmHWM (peak resident set) over the server and its workers, in MB."""
        return self._status_mb("VmHWM:")

    def rss_mb(self) -> float:
        """Sum of VmRSS (resident set now) over the server and its workers, in MB."""
        return self._status_mb("VmRSS:")

    def _status_mb(self, key: str) -> float:
        total_kb = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith(key):
                        total_kb += int(line.split()[1])
        return total_kb / 1024

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
        with contextlib.suppress(OSError):
            os.unlink(self._log.name)
