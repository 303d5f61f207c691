"""The webhook and job settings: defaults, parsing, and errors that name the variable."""

from __future__ import annotations

import pytest

from entrypoints.settings import SettingsError, load_settings


def _load(**env: str):
    return load_settings({"FINTECH_ENV": "test", **env}, env_file=None)


def test_defaults_follow_the_issue() -> None:
    s = _load()
    assert (s.webhook_backoff_base, s.webhook_horizon, s.webhook_timeout) == (5.0, 259200, 5.0)
    assert s.webhook_dispatcher_enabled is True
    assert s.webhook_backoff_jitter_percent == 20
    assert s.job_recovery_interval == 60
    assert s.job_idempotency_purge_interval == 3600
    assert s.job_balance_snapshot_interval == 86400
    assert s.job_settlement_interval == 0


def test_every_variable_is_read() -> None:
    s = _load(
        FINTECH_WEBHOOK_DISPATCHER_ENABLED="false",
        FINTECH_WEBHOOK_POLL_INTERVAL="0.5",
        FINTECH_WEBHOOK_TIMEOUT="2.5",
        FINTECH_WEBHOOK_CONCURRENCY="8",
        FINTECH_WEBHOOK_BACKOFF_BASE="1",
        FINTECH_WEBHOOK_BACKOFF_MAX="60",
        FINTECH_WEBHOOK_BACKOFF_JITTER="0",
        FINTECH_WEBHOOK_HORIZON="3600",
        FINTECH_WEBHOOK_FANOUT_WINDOW="30",
        FINTECH_WEBHOOK_SWEEP_INTERVAL="0",
        FINTECH_JOB_RECOVERY_INTERVAL="30",
        FINTECH_JOB_PURGE_INTERVAL="600",
        FINTECH_JOB_SNAPSHOT_INTERVAL="7200",
        FINTECH_JOB_SETTLEMENT_INTERVAL="86400",
    )
    assert s.webhook_dispatcher_enabled is False
    assert (s.webhook_poll_interval, s.webhook_timeout, s.webhook_concurrency) == (0.5, 2.5, 8)
    assert (s.webhook_backoff_base, s.webhook_backoff_max) == (1.0, 60.0)
    assert (s.webhook_backoff_jitter_percent, s.webhook_horizon) == (0, 3600)
    assert (s.webhook_fanout_window, s.webhook_sweep_interval) == (30, 0)
    assert (s.job_recovery_interval, s.job_idempotency_purge_interval) == (30, 600)
    assert (s.job_balance_snapshot_interval, s.job_settlement_interval) == (7200, 86400)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FINTECH_WEBHOOK_TIMEOUT", "0"),
        ("FINTECH_WEBHOOK_BACKOFF_BASE", "soon"),
        ("FINTECH_WEBHOOK_BACKOFF_JITTER", "150"),
        ("FINTECH_WEBHOOK_HORIZON", "0"),
        ("FINTECH_WEBHOOK_CONCURRENCY", "0"),
        ("FINTECH_JOB_RECOVERY_INTERVAL", "-1"),
        ("FINTECH_WEBHOOK_DISPATCHER_ENABLED", "maybe"),
    ],
)
def test_invalid_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        _load(**{name: value})
    assert caught.value.variable == name
