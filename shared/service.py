"""What a service is, as data: the runtime needs nothing else to run it.

Each service module exposes one `SPEC: ServiceSpec`: its name (which is also its schema,
its consumer group and the producer of `<name>.events`), its tables, its migrations, its
HTTP app factory, its event handlers and the producers it listens to.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock
from shared.db.statement_pool import StatementPool
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.http.health import ReadinessCheck
from shared.settings import PlatformSettings
from shared.topics import Topics

if TYPE_CHECKING:
    from fastapi import FastAPI

    from shared.messaging.consumer import HandlerMap


BackgroundJob = Callable[[asyncio.Event], Awaitable[None]]


@dataclass(frozen=True)
class ServiceContext:
    """Everything a service's app and handlers get from the runtime."""

    name: str
    platform: PlatformSettings
    settings: Any
    engine: AsyncEngine
    uow: UnitOfWorkFactory
    clock: Clock
    topics: Topics
    readiness: Mapping[str, ReadinessCheck] = field(default_factory=dict)
    # Raw asyncpg connections for one-statement hot paths; None unless the spec asks.
    statements: StatementPool | None = None


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    metadata: MetaData
    outbox: Table
    inbox: Table
    migrations: Path
    load_settings: Callable[[], Any]
    create_app: Callable[[ServiceContext], FastAPI]
    handlers: Callable[[ServiceContext], HandlerMap]
    subscribes_to: tuple[str, ...] = ()
    # Connections kept open for one-statement hot paths (`ServiceContext.statements`);
    # 0: the service has none and the engine serves everything.
    statement_pool_size: int = 0
    # Long-running jobs (e.g. a scheduler) the runtime starts beside the relay and the
    # consumer; each gets the runtime's stop event and must return soon after it is set.
    background: Callable[[ServiceContext], Sequence[BackgroundJob]] = lambda context: ()
