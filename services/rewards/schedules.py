"""What rewards does on a clock, beside its consumer: the points expiry sweep and the
birthday coupons. Both are safe on every replica at once (an expired lot has nothing left;
a coupon is issued once per occasion, under the member's lock)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress

from services.rewards.coupon_issuance import issue_birthday_coupons
from services.rewards.points_spending import expire_due
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


def background_jobs(context: ServiceContext) -> tuple[BackgroundJob, ...]:
    settings, clock = context.settings, context.clock

    async def expire_points() -> object:
        return await expire_due(context.uow, clock.now())

    async def birthday_coupons() -> object:
        today = clock.now().astimezone(settings.zone()).date()
        return await issue_birthday_coupons(context.uow, settings, today)

    return (periodic("points_expiry", settings.points_expiry_every_seconds, expire_points),
            periodic("birthday_coupons", settings.birthday_coupons_every_seconds, birthday_coupons))
