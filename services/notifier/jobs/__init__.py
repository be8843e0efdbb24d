"""The notifier's jobs on a clock: the delivery job and the scheduled outreach."""

from __future__ import annotations

from services.notifier.jobs.delivery import DeliveryJob
from services.notifier.jobs.schedules import ScheduledOutreach
from services.notifier.settings import NotifierSettings
from shared.service import BackgroundJob, ServiceContext


def background_jobs(context: ServiceContext[NotifierSettings]) -> tuple[BackgroundJob, ...]:
    return (DeliveryJob(context).run, ScheduledOutreach(context).run)
