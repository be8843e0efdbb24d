"""What rewards does on a clock, beside its consumer: the points expiry sweep
(points_expiry.py) and the birthday coupons (birthday_coupons.py), each run every so many
seconds by every replica (both are safe to run concurrently)."""

from __future__ import annotations

from services.rewards.jobs.birthday_coupons import issue_birthday_coupons
from services.rewards.jobs.points_expiry import expire_due
from services.rewards.settings import RewardsSettings
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[RewardsSettings]) -> tuple[BackgroundJob, ...]:
    settings, clock = context.settings, context.clock

    async def expire_points() -> object:
        return await expire_due(context.uow, clock.now())

    async def birthday_coupons() -> object:
        today = clock.now().astimezone(settings.zone()).date()
        return await issue_birthday_coupons(context.uow, settings, today)

    return (periodic("points_expiry", settings.points_expiry_every_seconds, expire_points),
            periodic("birthday_coupons", settings.birthday_coupons_every_seconds, birthday_coupons))
