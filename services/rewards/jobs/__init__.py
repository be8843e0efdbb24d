"""What rewards does on a clock, beside its consumer: the points expiry sweep
(points_expiry.py) and the birthday coupons (birthday_coupons.py), each run every so many
seconds by every replica (both are safe to run concurrently)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress

from services.rewards.jobs.birthday_coupons import issue_birthday_coupons
from services.rewards.jobs.points_expiry import expire_due
from services.rewards.settings import RewardsSettings
from shared.service import BackgroundJob, ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


def periodic(name: str, every_seconds: float, sweep: Callable[[], Awaitable[object]]
             ) -> BackgroundJob:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if done := await sweep():
                    log.info(f"{name}_swept", result=done)
            except Exception as error:  # the next sweep retries; never kill the service
                log.warning(f"{name}_failed", error=repr(error))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_seconds)

    return run


def background_jobs(context: ServiceContext[RewardsSettings]) -> tuple[BackgroundJob, ...]:
    settings, clock = context.settings, context.clock

    async def expire_points() -> object:
        return await expire_due(context.uow, clock.now())

    async def birthday_coupons() -> object:
        today = clock.now().astimezone(settings.zone()).date()
        return await issue_birthday_coupons(context.uow, settings, today)

    return (periodic("points_expiry", settings.points_expiry_every_seconds, expire_points),
            periodic("birthday_coupons", settings.birthday_coupons_every_seconds, birthday_coupons))
