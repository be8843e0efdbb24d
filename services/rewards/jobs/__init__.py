"""What rewards does on a clock, beside its consumer: the points expiry sweep
(points_expiry.py), run every so many seconds by every replica (safe to run concurrently),
the sweep of expired data export parts, and the daily segment refresh
(segment_refresh.py, leader-locked),
bulk coupon issuance (coupon_issues.py, leader-locked) and the daily and weekly scheduled
reports (scheduled_reports.py, leader-locked).
Birthday coupons come from tiering's MemberBirthday (handlers.py), not from a clock."""

from __future__ import annotations

from services.rewards.jobs.coupon_issues import coupon_issue_job
from services.rewards.jobs.points_expiry import expire_due
from services.rewards.jobs.scheduled_reports import produce_due
from services.rewards.jobs.segment_refresh import refresh_all
from services.rewards.settings import RewardsSettings
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[RewardsSettings]) -> tuple[BackgroundJob, ...]:
    settings, clock = context.settings, context.clock

    async def expire_points() -> object:
        return await expire_due(context.uow, clock.now())

    async def refresh_segments() -> object:
        return await refresh_all(context.uow, clock.now(), settings.zone())

    async def produce_reports() -> object:
        return await produce_due(context.uow, clock.now(), settings.zone(),
                                 settings.report_currency)

    return (periodic("points_expiry", settings.points_expiry_every_seconds, expire_points),
            data_export_parts_expiry(context),
            periodic("segment_refresh", settings.segment_refresh_every_seconds,
                     refresh_segments),
            coupon_issue_job(context),
            # first after one interval: a replica's start is no reason to report
            periodic("scheduled_reports", settings.scheduled_reports_every_seconds,
                     produce_reports,
                     first_after_seconds=settings.scheduled_reports_every_seconds))
