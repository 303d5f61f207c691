"""What every CLI command shares: settings loading, the container, async running, output."""

from __future__ import annotations

import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, NoReturn, TypeVar

import anyio
import click
from dishka import AsyncContainer
from rich.console import Console

from entrypoints.container import create_container
from entrypoints.observability.logging import configure_logging
from entrypoints.settings import Settings, SettingsError, load_settings

__all__ = ["console", "fail", "open_container", "print_json", "run_async", "settings_or_exit"]

console = Console(stderr=False, highlight=False)
err_console = Console(stderr=True, highlight=False)
T = TypeVar("T")

# Exit codes: 0 ok, 1 the operation failed or found problems, 2 usage or configuration error,
# 3 the store is unreachable.
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 3


def fail(message: str, code: int = EXIT_FAILED) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    sys.exit(code)


def settings_or_exit() -> Settings:
    """Load settings or exit with one line naming the bad variable."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        fail(f"{exc.variable}: {exc.reason}", EXIT_CONFIG)
    configure_logging(settings.log_level, settings.log_format)
    return settings


@asynccontextmanager
async def open_container(settings: Settings) -> AsyncIterator[AsyncContainer]:
    container = create_container(settings)
    try:
        yield container
    finally:
        await container.close()


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    return anyio.run(fn)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str, sort_keys=True))
