"""``python -m benchmarks [name ...]``: run the named benchmarks (default: all)."""

from __future__ import annotations

import argparse
import importlib
import sys

SUITES = {
    "sql": "benchmarks.sql_executors",
    "identity": "benchmarks.identity",
    "cashflow": "benchmarks.cashflow",
    "payments": "benchmarks.payments",
    "http": "benchmarks.http_load",
    "cashflow-maths": "benchmarks.cashflow_maths",
    "edge": "benchmarks.edge_overhead",
}
SUITES["banking"] = "benchmarks.banking_transactions"
SUITES["soak"] = "benchmarks.soak"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", choices=[*SUITES, []], help="suites to run")
    args = parser.parse_args()
    for name in args.names or list(SUITES):
        module = importlib.import_module(SUITES[name])
        module.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
