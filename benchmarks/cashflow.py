"""Cashflow maths timings: IRR/XIRR/NPV on large series, a 100-year amortization schedule.

Best and median of repeated runs, in milliseconds (best is what the code costs; the median
shows the noise of a shared machine).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from core.domain.cashflow import DatedCashflow, amortization, irr, npv, xirr, xnpv

RUNS = 15


def _time(label: str, fn: Callable[[], object], runs: int = RUNS) -> None:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e3)
    print(
        f"  {label:<44} best {min(samples):8.2f} ms   median {statistics.median(samples):8.2f} ms"
    )


def main() -> None:
    rng = random.Random(2026)

    def flows(n: int) -> list[Decimal]:
        return [Decimal(-250_000)] + [Decimal(f"{rng.uniform(0, 600):.2f}") for _ in range(n - 1)]

    thousand, ten_thousand = flows(1_000), flows(10_000)
    wavy = [Decimal(f"{rng.uniform(-1000, 1000):.2f}") for _ in range(1_000)]
    start = date(2000, 1, 1)
    dated = [DatedCashflow(start + timedelta(days=3 * i), v) for i, v in enumerate(ten_thousand)]
    print("cashflow maths:")
    _time("irr, 1,000 flows, one sign change", lambda: irr(thousand))
    _time("irr, 10,000 flows, one sign change", lambda: irr(ten_thousand))
    _time("irr, 1,000 flows, ~500 sign changes", lambda: irr(wavy))
    _time("npv, 10,000 flows", lambda: npv(Decimal("0.05"), ten_thousand))
    _time("xnpv, 10,000 dated flows", lambda: xnpv(Decimal("0.05"), dated), runs=5)
    _time("xirr, 10,000 dated flows", lambda: xirr(dated), runs=5)
    _time(
        "amortization, 1,200 months, cents",
        lambda: amortization(Decimal(500_000), Decimal("0.065"), 1200),
        runs=5,
    )


if __name__ == "__main__":
    main()
