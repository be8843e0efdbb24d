"""The delivery log's retention on a clock (leader-locked, `notifier.delivery_log_retention`,
in batches): rows older than `delivery_log_retention_days` are deleted
(store/retention.py). Deleting is idempotent, so a second replica would only find nothing;
the lock saves it the scan."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.notifier.settings import NotifierSettings
from services.notifier.store.retention import delete_old_deliveries
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext

JOB = "notifier.delivery_log_retention"


async def apply_delivery_log_retention(context: ServiceContext[NotifierSettings],
                                       now: datetime) -> int:
    """How many delivery-log rows were deleted."""
    days = context.settings.delivery_log_retention_days
    if days is None:
        return 0
    cutoff, batch, deleted = now - timedelta(days=days), context.settings.delivery_batch_size, 0
    while True:
        async with context.uow() as uow:
            if not await leads(uow.connection, JOB):
                return deleted
            count = await delete_old_deliveries(uow.connection, cutoff, batch)
        deleted += count
        if count < batch:
            return deleted


def delivery_log_retention(context: ServiceContext[NotifierSettings]) -> PeriodicJob:
    return periodic("notifier_delivery_log_retention", context.settings.retention_interval_seconds,
                    lambda: apply_delivery_log_retention(context, context.clock.now()))
