"""The gauges a service's `/metrics` shows about its messaging: outbox backlog and the age of
its oldest unpublished row, and for each of its consumer groups (its own and its side
consumers', such as `notifier-webhooks`) the lag per topic and the dead letters.

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
from dataclasses import dataclass

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


@dataclass(frozen=True)
class GroupFigures:
    """What to sample for one consumer group: the topics it reads and its dead-letter topic."""

    group: str
    consumed: Sequence[str]
    dlq_topic: str


class ServiceFigures:
    def __init__(self, service: str, engine: AsyncEngine, broker: BrokerFigures,
                 groups: Sequence[GroupFigures], every_seconds: float) -> None:
        self.service, self._engine, self._broker = service, engine, broker
        # A group that consumes nothing has no lag and no dead letters.
        self._groups = [group for group in groups if group.consumed]
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
        if self._groups:
            await self._side("broker", self._sample_broker)
        FIGURES_SAMPLED.labels(self.service).set_to_current_time()

    async def _sample_outbox(self) -> None:
        async with self._engine.connect() as connection:
            waiting, oldest = await outbox_backlog(connection)
        OUTBOX_BACKLOG.labels(self.service).set(waiting)
        OUTBOX_OLDEST_AGE.labels(self.service).set(oldest)

    async def _sample_broker(self) -> None:
        for figures in self._groups:
            lag = await self._broker.lag(figures.group, list(figures.consumed))
            for topic, behind in lag.items():
                CONSUMER_LAG.labels(figures.group, topic).set(behind)
            dead = await self._broker.dead_letters(figures.group, figures.dlq_topic)
            DLQ_MESSAGES.labels(figures.group).set(dead.kept)
            DLQ_UNREPLAYED.labels(figures.group).set(dead.unreplayed)

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
