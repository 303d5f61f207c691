"""The composition root: one dishka container built from validated settings."""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container
from dishka.entities.validation_settings import ValidationSettings

from entrypoints.providers import default_providers
from entrypoints.settings import Settings

__all__ = ["create_container"]

_STRICT = ValidationSettings(implicit_override=True, nothing_overridden=True)


def create_container(settings: Settings, *providers: Provider) -> AsyncContainer:
    """Production providers, then ``providers`` (tests pass fakes marked ``override=True``)."""
    return make_async_container(
        *default_providers(),
        *providers,
        context={Settings: settings},
        validation_settings=_STRICT,
    )
