"""Runs one service: migrations, its HTTP app, its outbox relay and its consumer.

The same runtime backs the production process (`patronage serve wallet`, over Kafka),
`patronage dev` (all five in one process over the in-process bus) and the tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import uvicorn
from fastapi import FastAPI
from sqlalchemy import text

from shared.clock import Clock, SystemClock
from shared.db.engine import create_service_engine, plain_url
from shared.db.migrations import upgrade_to_head
from shared.db.revoked_keys import key_revocations_job
from shared.db.statement_pool import StatementPool
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.http.revoked_keys import RevokedKeys
from shared.messaging.consumer import EventConsumer
from shared.messaging.relay import OutboxRelay
from shared.service import BackgroundJob, ServiceContext, ServiceSpec, SideConsumer, bind_settings
from shared.service_figures import GroupFigures, ServiceFigures
from shared.settings import PlatformSettings
from shared.startup_secrets import refuse_unsafe_secrets
from shared.structured_logging import get_logger
from shared.topics import Topics
from shared.transport import Transport

log = get_logger(__name__)


class ServiceRuntime:
    def __init__(
        self, spec: ServiceSpec, platform: PlatformSettings, transport: Transport,
        clock: Clock | None = None, *, settings: object | None = None,
        relay_poll_interval: float = 1.0,
    ) -> None:
        self.spec, self.platform, self.transport = spec, platform, transport
        self.clock = clock or SystemClock()
        self.settings = settings if settings is not None else spec.load_settings()
        refuse_unsafe_secrets(platform.environment, spec.secrets(self.settings),
                              spec.dev_secret_values)
        self.topics = Topics(platform.topic_prefix)
        self.engine = create_service_engine(platform.database_url, spec.name)
        self._relay_poll_interval = relay_poll_interval
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self.relay: OutboxRelay | None = None
        self.consumer: EventConsumer | None = None
        self.side_consumers: dict[str, EventConsumer] = {}  # by SideConsumer.name
        self.figures: ServiceFigures | None = None  # the gauges of /metrics, once started
        self.jobs: list[BackgroundJob] = []  # what runs on a clock (PeriodicJob: `patronage tick`)
        self.consumed: list[str] = []
        self.statements = (StatementPool(platform.database_url, spec.name,
                                         size=spec.statement_pool_size)
                           if spec.statement_pool_size else None)
        self.context = ServiceContext(
            name=spec.name, platform=platform, settings=self.settings, engine=self.engine,
            uow=UnitOfWorkFactory(self.engine, spec.outbox, self.topics, self.clock),
            clock=self.clock, topics=self.topics,
            readiness={"database": self._check_database, "kafka": transport.check_reachable},
            statements=self.statements,
            revoked_keys=RevokedKeys(clock=lambda: self.clock.now().timestamp()),
        )
        self.app: FastAPI = spec.create_app(self.context)

    async def migrate(self) -> None:
        await asyncio.to_thread(
            upgrade_to_head, self.spec.migrations, self.platform.database_url, self.spec.name
        )

    async def start(self, *, migrate: bool = True) -> None:
        if migrate:
            await self.migrate()
        if self.statements is not None:
            await self.statements.open()
        consumed = self.consumed = [self.topics.events(p) for p in self.spec.subscribes_to]
        await self.transport.prepare(
            [self.topics.events(self.spec.name), self.topics.dlq(self.spec.name), *consumed]
        )
        self.relay = OutboxRelay(
            plain_url(self.platform.database_url), self.spec.name,
            self.transport.publisher(self.spec.name), poll_interval=self._relay_poll_interval,
        )
        self._tasks.append(asyncio.create_task(self.relay.run(self._stop)))
        handlers = bind_settings(self.spec.handlers, self.settings)
        if handlers and consumed:
            self.consumer = EventConsumer(
                name=self.spec.name,
                source=self.transport.source(self.spec.name, consumed),
                dead_letters=self.transport.dead_letters(
                    self.spec.name, self.topics.dlq(self.spec.name)),
                handlers=handlers, uow_factory=self.context.uow, inbox_table=self.spec.inbox,
            )
            self._tasks.append(asyncio.create_task(self.consumer.run(self._stop)))
        groups = [GroupFigures(self.spec.name, consumed if handlers else [],
                               self.topics.dlq(self.spec.name))]
        for side in self.spec.side_consumers:
            groups.append(await self._start_side_consumer(side))
        self.figures = ServiceFigures(self.spec.name, self.engine, self.transport.figures(),
                                      groups, self.platform.figures_every_seconds)
        self._tasks.append(asyncio.create_task(self.figures.run(self._stop)))
        self.jobs = list(self.spec.background(self.context))
        if self.spec.revoked_keys is not None:
            revocations = key_revocations_job(self.context, self.spec.revoked_keys)
            await revocations.run_once()  # the list before the first request (if the database answers)
            self.jobs.append(revocations)
        for job in self.jobs:
            self._tasks.append(asyncio.create_task(job(self._stop)))
        log.info("service_started", service=self.spec.name, consumes=consumed)

    async def _start_side_consumer(self, side: SideConsumer) -> GroupFigures:
        group = f"{self.spec.name}-{side.name}"
        topics = (self.topics.all_event_topics() if side.producers is None
                  else tuple(self.topics.events(p) for p in side.producers))
        await self.transport.prepare([*topics, self.topics.dlq(group)])
        consumer = self.side_consumers[side.name] = EventConsumer(
            name=group, source=self.transport.source(group, topics),
            dead_letters=self.transport.dead_letters(group, self.topics.dlq(group)),
            handlers=bind_settings(side.handlers, self.settings), uow_factory=self.context.uow,
            inbox_table=self.spec.inbox)
        self._tasks.append(asyncio.create_task(consumer.run(self._stop)))
        return GroupFigures(group, topics, self.topics.dlq(group))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=20)
        self._tasks.clear()
        for consumer in [self.consumer, *self.side_consumers.values()]:
            if consumer is not None:
                await consumer.dead_letters.stop()
        if self.statements is not None:
            await self.statements.close()
        await self.engine.dispose()

    async def _check_database(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    def http_server(self, host: str, port: int) -> uvicorn.Server:
        """An HTTP server for the app; stop it with `server.should_exit = True`."""
        # log_config=None: uvicorn keeps its hands off logging, so its records reach the
        # JSON handler of shared/structured_logging.py instead of its own plain-text ones.
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning",
                                http="httptools", lifespan="off", access_log=False,
                                log_config=None)
        return QuietSignalsServer(config)


class QuietSignalsServer(uvicorn.Server):
    """Leaves signal handling to the process that runs the services, so one Ctrl-C stops
    every service cleanly instead of each server grabbing it."""

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield
