"""What a service is, as data: the runtime needs nothing else to run it.

Each service module exposes one `SPEC: ServiceSpec[ItsSettings]`: its name (which is also
its schema, its consumer group and the producer of `<name>.events`), its tables, its
migrations, its HTTP app factory, its event handlers and the producers it listens to.

Handlers are module-level functions `async def on_x(event, uow, settings)` (a batch
handler takes the events instead of one event) wired in one plain mapping,
`HANDLERS = {RechargeCompleted: [batch(on_recharges_completed)], ...}`; the runtime binds
the service's settings to them (`bind_settings`), so the consumer engine sees
`handler(event, uow)` and a test can run a handler with whatever settings it needs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import SecretStr
from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock
from shared.db.statement_pool import StatementPool
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.events.envelope import Event
from shared.http.health import ReadinessCheck
from shared.http.revoked_keys import RevokedKeys
from shared.messaging.batches import BatchHandler
from shared.settings import PlatformSettings
from shared.topics import Topics

if TYPE_CHECKING:
    from fastapi import FastAPI

    from shared.messaging.consumer import HandlerMap


S = TypeVar("S")
BackgroundJob = Callable[[asyncio.Event], Awaitable[None]]
# `async def on_x(event_or_events, uow, settings)`, or `batch(...)` of one.
SettingsHandler = Callable[..., Awaitable[None]] | BatchHandler
ServiceHandlers = Mapping[type[Event], Sequence[SettingsHandler]]


@dataclass(frozen=True)
class ServiceContext(Generic[S]):
    """Everything a service's app, handlers and jobs get from the runtime."""

    name: str
    platform: PlatformSettings
    settings: S
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    topics: Topics
    readiness: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    # Raw asyncpg connections for one-statement hot paths; None unless the spec asks.
    statements: StatementPool | None = None
    # The terminal keys this service refuses; the app reads it, the runtime refreshes it.
    revoked_keys: RevokedKeys = field(default_factory=RevokedKeys)


@dataclass(frozen=True)
class SideConsumer:
    """A further consumer group of a service, with its own offsets, inbox claims and dead
    letters (`<service>-<name>`), so its lag never delays the service's own handlers (the
    notifier's webhooks read every topic)."""

    name: str
    handlers: ServiceHandlers
    producers: tuple[str, ...] | None = None  # None: every service's events topic


@dataclass(frozen=True)
class ServiceSpec(Generic[S]):
    name: str
    metadata: MetaData
    outbox: Table
    inbox: Table
    migrations: Path
    load_settings: Callable[[], S]
    create_app: Callable[[ServiceContext[S]], FastAPI]
    handlers: ServiceHandlers = field(default_factory=dict)
    subscribes_to: tuple[str, ...] = ()
    # Connections kept open for one-statement hot paths (`ServiceContext.statements`);
    # 0: the service has none and the engine serves everything.
    statement_pool_size: int = 0
    # Long-running jobs (e.g. a scheduler) the runtime starts beside the relay and the
    # consumer; each gets the runtime's stop event and must return soon after it is set.
    background: Callable[[ServiceContext[S]], Sequence[BackgroundJob]] = lambda context: ()
    # The service's secret settings by environment variable, and the dev values published
    # in its source: outside dev and test the runtime refuses to start with a weak one.
    secrets: Callable[[S], Mapping[str, str | SecretStr | None]] = lambda settings: {}
    dev_secret_values: frozenset[str] = frozenset()
    # Where this service reads the terminal keys it must refuse: the wallet's registry, or
    # the service's own projection of TerminalKeyRevoked (`shared/db/revoked_keys.py`).
    revoked_keys: Table | None = None
    side_consumers: tuple[SideConsumer, ...] = ()


def bind_settings(handlers: ServiceHandlers, settings: Any) -> HandlerMap:
    """The consumer engine's `handler(event, uow)` map, each handler given `settings`."""
    def bound(handler: SettingsHandler) -> Any:
        if isinstance(handler, BatchHandler):
            return BatchHandler(partial(handler.apply, settings=settings))
        return partial(handler, settings=settings)
    return {kind: [bound(h) for h in wired] for kind, wired in handlers.items()}
