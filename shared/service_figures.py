"""The gauges a service's `/metrics` shows about its messaging: outbox backlog and the age of
its oldest unpublished row, its consumer group's lag per topic, its dead letters.

Sampled by one task per process every `PlatformSettings.figures_every_seconds`, never per
scrape: a scrape must not wait on a broker that is away or a database under load. The
database side and the broker side are sampled apart, so a broker outage still shows the
outbox backlog growing (the figure that matters then). A failing side logs once when it
starts failing and once when it recovers, not every round. Every replica samples the same
service-wide figures; dashboards take their `max`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress

from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.outbox import outbox_backlog
from shared.messaging.broker_figures import BrokerFigures
from shared.messaging.metrics import (
    CONSUMER_LAG,
    DLQ_MESSAGES,
    DLQ_UNREPLAYED,
    FIGURES_SAMPLED,
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
)
from shared.structured_logging import get_logger

log = get_logger(__name__)
SIDE_TIMEOUT_SECONDS = 10.0


class ServiceFigures:
    def __init__(self, service: str, engine: AsyncEngine, broker: BrokerFigures,
                 consumed: Sequence[str], dlq_topic: str, every_seconds: float) -> None:
        self.service, self._engine, self._broker = service, engine, broker
        self._consumed, self._dlq_topic = list(consumed), dlq_topic
        self._every = every_seconds
        self._failing: set[str] = set()

    async def run(self, stop: asyncio.Event) -> None:
        try:
            while not stop.is_set():
                await self.sample_once()
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self._every)
        finally:
            await self._broker.close()

    async def sample_once(self) -> None:
        await self._side("database", self._sample_outbox)
        if self._consumed:  # a service that consumes nothing has no lag and no dead letters
            await self._side("broker", self._sample_broker)
        FIGURES_SAMPLED.labels(self.service).set_to_current_time()

    async def _sample_outbox(self) -> None:
        async with self._engine.connect() as connection:
            waiting, oldest = await outbox_backlog(connection)
        OUTBOX_BACKLOG.labels(self.service).set(waiting)
        OUTBOX_OLDEST_AGE.labels(self.service).set(oldest)

    async def _sample_broker(self) -> None:
        for topic, behind in (await self._broker.lag(self.service, self._consumed)).items():
            CONSUMER_LAG.labels(self.service, topic).set(behind)
        dead = await self._broker.dead_letters(self.service, self._dlq_topic)
        DLQ_MESSAGES.labels(self.service).set(dead.kept)
        DLQ_UNREPLAYED.labels(self.service).set(dead.unreplayed)

    async def _side(self, side: str, sample: Callable[[], Awaitable[None]]) -> None:
        try:
            await asyncio.wait_for(sample(), SIDE_TIMEOUT_SECONDS)
        except Exception as error:  # keep the last figures; the next round tries again
            if side not in self._failing:
                self._failing.add(side)
                log.warning("figures_sampling_failed", service=self.service, side=side,
                            error=repr(error))
            return
        if side in self._failing:
            self._failing.discard(side)
            log.info("figures_sampling_recovered", service=self.service, side=side)
