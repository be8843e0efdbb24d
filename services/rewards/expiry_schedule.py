"""The points expiry sweep, run by the service beside its consumer. Safe on every replica at
once: an expired lot has nothing left, and each member's sweep holds that member's lock."""

from __future__ import annotations

import asyncio
from contextlib import suppress

from services.rewards.points_spending import expire_due
from shared.service import BackgroundJob, ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


def points_expiry_job(context: ServiceContext) -> BackgroundJob:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                expired = await expire_due(context.uow, context.clock.now())
                if expired:
                    log.info("points_expired", members=len(expired), points=sum(expired.values()))
            except Exception as error:  # the next sweep retries; never kill the service
                log.warning("points_expiry_failed", error=repr(error))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), context.settings.points_expiry_every_seconds)

    return run
