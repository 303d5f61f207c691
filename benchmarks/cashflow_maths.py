"""Cashflow maths timings (``just bench cashflow``): IRR over 1,000 flows, 10,000 series of 20.

``core.domain.cashflow`` (``irr``, ``npv``) is built on another branch: it is imported lazily
and the suite reports "not available" until it is there. numpy-financial (the accuracy oracle
of the calculation tests, a dev dependency) and the peer's ``fin_infra.cashflows.irr`` (when
the peer's environment exists) are timed on the same series for reference.
"""

from __future__ import annotations

import importlib
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

LONG = [Decimal(-100_000), *(Decimal(150 + (i % 7)) for i in range(999))]
SHORT = [
    [Decimal(-1000 - s % 50), *(Decimal(90 + (s + i) % 20) for i in range(19))]
    for s in range(10_000)
]
PEER_PYTHON = Path.home() / ".cache" / "fintech-bench" / "peer" / "bin" / "python"


def _time(fn: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _report(
    label: str,
    irr: Callable[[Sequence[Any]], Any],
    convert: Callable[[Decimal], Any],
    repeat: int = 5,
    target: bool = True,
) -> None:
    long = [convert(x) for x in LONG]
    short = [[convert(x) for x in series] for series in SHORT]
    one = _time(lambda: irr(long), repeat)
    many = _time(lambda: [irr(series) for series in short], 1)
    verdict = ("  (target < 5 ms: " + ("met)" if one < 0.005 else "MISSED)")) if target else ""
    print(
        f"  {label:<28} IRR 1,000 flows {one * 1e3:9.2f} ms{verdict}   "
        f"10,000 x 20 flows {many:7.2f} s"
    )


def main() -> None:
    print("== Cashflow maths (python -m benchmarks cashflow-maths)")
    try:
        cashflow = importlib.import_module("core.domain.cashflow")
        irr = cashflow.irr
    except (ImportError, AttributeError):
        print("  ours: not available (core.domain.cashflow with irr/npv is not in this build)")
    else:
        try:
            _report("ours (core.domain.cashflow)", irr, lambda x: x)
        except TypeError:  # an implementation over floats
            _report("ours (core.domain.cashflow)", irr, float)
    try:
        import numpy_financial as npf
    except ImportError:
        print("  numpy-financial: not installed (uv sync installs the dev group)")
    else:
        _report("numpy-financial (reference)", npf.irr, float, repeat=1, target=False)
    if PEER_PYTHON.exists():
        script = (
            "import time, statistics\n"
            "from fin_infra.cashflows.core import irr\n"
            "long = [-100000.0] + [150.0 + (i % 7) for i in range(999)]\n"
            "s = []\n"
            "for _ in range(1):\n"
            "    t = time.perf_counter(); irr(long); s.append(time.perf_counter() - t)\n"
            "print(statistics.median(s))\n"
        )
        done = subprocess.run(
            [str(PEER_PYTHON), "-c", script],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode == 0:
            print(
                f"  peer (fin_infra.cashflows)   IRR 1,000 flows "
                f"{float(done.stdout.strip()) * 1e3:9.2f} ms"
            )
