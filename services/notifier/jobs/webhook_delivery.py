"""The webhook delivery job: sends the due deliveries, retries, parks, disables endpoints.

Every `webhooks_delivery_interval_seconds`, under the leader lock `notifier.webhooks` (one
replica sends at a time, so a member's events leave in order), each batch of due
deliveries is one transaction: the batch is sent at once (each row is a different
subscription or member, see store/webhook_deliveries.py), then every outcome recorded.
A failure is retried on the schedule plus jitter; when the schedule or the retry window
is spent the delivery is parked with its last error. An endpoint that has failed without
a success for `webhooks_disable_after_seconds` is disabled, `WebhookEndpointDisabled` is
emitted and a warning logged. At least once: should the transaction fail after a
receiver answered, the delivery goes out again (the receiver dedups on `webhook-id`).
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime

import httpx

from services.notifier.channels.webhooks import Answer, WebhookSender
from services.notifier.rules.webhooks import next_attempt_at, should_disable
from services.notifier.settings import NotifierSettings
from services.notifier.store import webhook_deliveries, webhook_subscriptions
from shared.db.unit_of_work import UnitOfWork
from shared.events.notifier import WEBHOOKS_KEY, WebhookEndpointDisabled
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


class WebhookDeliveryJob:
    def __init__(self, context: ServiceContext[NotifierSettings]) -> None:
        self.context, self.settings = context, context.settings
        self.client = httpx.AsyncClient(timeout=self.settings.webhooks_timeout_seconds,
                                        follow_redirects=False)
        self.sender = WebhookSender(self.client, self.settings.webhook_private_targets_allowed(
            context.platform.environment))

    async def run_once(self, now: datetime) -> int:
        """Attempts made at `now` (a member's next event goes in the next batch)."""
        attempted = 0
        while True:
            async with self.context.uow() as uow:
                if not await leads(uow.connection, "notifier.webhooks"):
                    return attempted
                rows = await webhook_deliveries.due(uow.connection, now,
                                                    self.settings.webhooks_batch_size)
                answers = await asyncio.gather(*(self.sender.send(
                    row["url"], row["secret"], str(row["event_id"]), row["body"]) for row in rows))
                disabled: set[str] = set()
                for row, answer in zip(rows, answers, strict=True):
                    await self._record(uow, row, answer, now, disabled)
            attempted += len(rows)
            if not rows:
                return attempted

    async def _record(self, uow: UnitOfWork, row: dict, answer: Answer, now: datetime,
                      disabled: set[str]) -> None:
        db, subscription_id, settings = uow.connection, row["subscription_id"], self.settings
        retry_at = None if answer.delivered else next_attempt_at(
            row["attempts"] + 1, row["first_attempt_at"] or now, now,
            settings.webhooks_retry_schedule_seconds, settings.webhooks_retry_for_seconds,
            random.random() * settings.webhooks_jitter)
        await webhook_deliveries.attempted(
            db, row["delivery_id"], now, delivered=answer.delivered,
            status_code=answer.status_code, duration_ms=answer.duration_ms,
            error=answer.error, next_attempt_at=retry_at)
        if answer.delivered:
            await webhook_subscriptions.answering(db, subscription_id)
            return
        failing_since = await webhook_subscriptions.failing(db, subscription_id, now)
        if subscription_id in disabled or not should_disable(
                failing_since, now, settings.webhooks_disable_after_seconds):
            return
        disabled.add(subscription_id)
        error = answer.error or "failed"
        await webhook_subscriptions.disable(db, subscription_id, error, now)
        uow.emit(WebhookEndpointDisabled(
            occurred_at=now, member_id=WEBHOOKS_KEY, subscription_id=subscription_id,
            failing_since=failing_since, last_error=error[:2000]))
        log.warning("webhook_endpoint_disabled", subscription_id=subscription_id,
                    failing_since=failing_since.isoformat(), last_error=error)

    def job(self) -> PeriodicJob:
        return periodic("notifier_webhooks", self.settings.webhooks_delivery_interval_seconds,
                        lambda: self.run_once(self.context.clock.now()),
                        on_stop=self.client.aclose)
