"""The notifier's jobs on a clock: the delivery job, the scheduled outreach, the delivery
log's retention, the expiry of data export parts, the webhook delivery job and the
scheduled reports' delivery job, and the check for template versions published by
another replica."""

from __future__ import annotations

from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.jobs.delivery_log_retention import delivery_log_retention
from services.notifier.jobs.report_delivery import ReportDeliveryJob
from services.notifier.jobs.schedules import ScheduledOutreach
from services.notifier.jobs.webhook_delivery import WebhookDeliveryJob
from services.notifier.settings import NotifierSettings
from services.notifier.store.template_overrides import overrides_of
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[NotifierSettings]) -> tuple[BackgroundJob, ...]:
    outreach = ScheduledOutreach(context)
    return (DeliveryJob(context).job(),
            periodic("notifier_schedules", context.settings.schedule_interval_seconds,
                     lambda: outreach.run_once(context.clock.now())),
            delivery_log_retention(context),
            data_export_parts_expiry(context),
            WebhookDeliveryJob(context).job(),
            ReportDeliveryJob(context).job(),
            template_versions_check(context))


def template_versions_check(context: ServiceContext[NotifierSettings]) -> BackgroundJob:
    """Every replica, not only a leader: each keeps its own copy of the versions in use."""
    overrides = overrides_of(context.engine)

    async def check() -> bool:
        async with context.engine.connect() as db:
            return await overrides.check(db)
    return periodic("notifier_template_versions", context.settings.template_check_seconds, check)
