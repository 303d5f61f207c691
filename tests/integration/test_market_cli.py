"""``fintech market ...`` against the demo provider, run as the operator runs it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from entrypoints.cli.main import cli
from tests.integration.test_cli import run


@pytest.fixture
def invoke(tmp_path: Path):
    """Run ``fintech`` as a process (its logging set-up stays out of this test session)."""

    def call(*args: str) -> SimpleNamespace:
        if args[-1] == "--help":
            result = CliRunner().invoke(cli, list(args))
            return SimpleNamespace(exit_code=result.exit_code, output=result.output)
        done = run(tmp_path, *args, ALPHAVANTAGE_API_KEY="")
        return SimpleNamespace(exit_code=done.returncode, output=done.stdout + done.stderr)

    return call


def test_market_commands_have_help(invoke) -> None:
    for args in (["market"], ["market", "quote"], ["market", "history"], ["market", "search"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_quotes_print_as_a_table_and_as_json(invoke) -> None:
    table = invoke("market", "quote", "aapl", "MSFT")
    assert table.exit_code == 0, table.output
    assert "AAPL" in table.output
    assert "MSFT" in table.output
    as_json = invoke("market", "quote", "AAPL", "--json")
    assert as_json.exit_code == 0
    [quote] = json.loads(as_json.output)
    assert quote["symbol"] == "AAPL"
    assert quote["currency"] == "USD"


def test_history_and_search(invoke) -> None:
    # The CLI runs on the real clock: take the Monday to Friday of a week a year ago.
    monday = date.today() - timedelta(days=365)
    monday -= timedelta(days=monday.weekday())
    week = [(monday + timedelta(days=d)).isoformat() for d in range(5)]
    bars = invoke("market", "history", "MSFT", "--start", week[0], "--end", week[-1], "--json")
    assert bars.exit_code == 0, bars.output
    assert [b["date"] for b in json.loads(bars.output)["bars"]] == week
    found = invoke("market", "search", "bank", "--json")
    assert [m["symbol"] for m in json.loads(found.output)] == ["BAC"]


def test_unknown_and_invalid_symbols_exit_non_zero(invoke) -> None:
    unknown = invoke("market", "quote", "ZZZZ")
    assert unknown.exit_code == 1
    assert "not_found" in unknown.output
    invalid = invoke("market", "quote", "BAD$")
    assert invalid.exit_code == 2
