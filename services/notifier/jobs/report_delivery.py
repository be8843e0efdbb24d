"""The scheduled reports' delivery job: sends each due report delivery to its ops recipient
by email, retries, records the outcome.

Every `delivery_interval_seconds`, under the leader lock `notifier.report_delivery`. Each
delivery is its own transaction (lock the row, send, record): a crash between two sends
never sends the first one again, only, at worst, the one in flight when it crashed. Per
delivery: a recipient deleted, unsubscribed or no longer taking this kind of report is
`suppressed`; quiet hours in the recipient's time zone defer it; otherwise it is rendered in
the recipient's locale and sent by the notifier's email channel (no member consent: staff
are not members). A transient failure is retried with the notifier's backoff up to
`max_attempts`; a permanent one, or the attempts spent, is `failed` with the last error.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.notifier.channels import Channel, Outgoing, PermanentFailure, TransientFailure
from services.notifier.jobs.delivery import external_channels
from services.notifier.rules.ops_reports import TEMPLATE, recipient_unsubscribe_token, report_facts
from services.notifier.rules.templates import Rendered, render, supported_locale
from services.notifier.rules.timing import backoff
from services.notifier.settings import NotifierSettings
from services.notifier.store import report_deliveries
from shared.db.unit_of_work import UnitOfWork
from shared.jobs import PeriodicJob, leads, periodic
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


class ReportDeliveryJob:
    def __init__(self, context: ServiceContext[NotifierSettings]) -> None:
        self.context, self.settings = context, context.settings
        self.client = httpx.AsyncClient(timeout=self.settings.send_timeout_seconds)
        self.email: Channel | None = external_channels(
            self.settings, self.client, context.platform.environment).get("email")

    async def run_once(self, now: datetime) -> int:
        """Deliveries handled (sent, deferred, retried, failed or suppressed) at `now`."""
        handled = 0
        while True:
            async with self.context.uow() as uow:
                if not await leads(uow.connection, "notifier.report_delivery"):
                    return handled
                row = await report_deliveries.next_due(uow.connection, now)
                if row is None:
                    return handled
                await self.attempt(uow, row, now)
            handled += 1

    async def attempt(self, uow: UnitOfWork, row: dict[str, Any], now: datetime) -> None:
        async def save(**values: Any) -> None:
            await report_deliveries.update_delivery(uow.connection, row["delivery_id"], **values)

        kind = row["report"]["kind"]
        if row["email"] is None or row["unsubscribed_at"] is not None \
                or kind not in row["report_kinds"]:
            return await save(status="suppressed", next_attempt_at=None,
                              last_error="the recipient no longer takes this report")
        zone = ZoneInfo(row["time_zone"] or self.settings.default_time_zone)
        later = self.settings.quiet_hours().next_allowed(now, zone)
        if later is not None:
            return await save(next_attempt_at=later)
        if self.email is None:
            return await save(status="failed", next_attempt_at=None,
                              last_error="no email channel is configured")
        try:
            rendered = self.render(row, zone)
        except Exception as error:  # a broken template fails this delivery, not the job
            return await save(status="failed", next_attempt_at=None,
                              last_error=f"template: {error!r}"[:2000])
        attempts = row["attempts"] + 1
        message = Outgoing(row["delivery_id"], row["recipient_id"], TEMPLATE, row["email"],
                           rendered)
        try:
            async with asyncio.timeout(self.settings.send_timeout_seconds):
                provider_id = await self.email.send(message)
        except Exception as error:  # PermanentFailure, TransientFailure, a timeout, a bug
            reason = (str(error) if isinstance(error, TransientFailure | PermanentFailure)
                      else f"{error!r}")[:2000]
            if isinstance(error, PermanentFailure) or attempts >= self.settings.max_attempts:
                log.warning("report_delivery_failed", delivery_id=str(row["delivery_id"]),
                            recipient_id=row["recipient_id"], error=reason)
                return await save(status="failed", attempts=attempts, next_attempt_at=None,
                                  last_error=reason)
            wait = backoff(attempts, self.settings.retry_base_seconds,
                           self.settings.retry_max_seconds)
            return await save(attempts=attempts, last_error=reason, next_attempt_at=now + wait)
        await save(status="sent", attempts=attempts, sent_at=now, next_attempt_at=None,
                   provider_message_id=provider_id, template_version=rendered.version)

    def render(self, row: dict[str, Any], zone: ZoneInfo) -> Rendered:
        locale = supported_locale(row["locale"], self.settings.default_locale)
        token = recipient_unsubscribe_token(self.settings.link_secret.get_secret_value(),
                                            row["recipient_id"])
        link = f"{self.settings.public_base_url}/v1/ops-recipients/unsubscribe/{token}"
        return render(TEMPLATE, locale, report_facts(row["report"], locale), zone, link)

    def job(self) -> PeriodicJob:
        """Every `delivery_interval_seconds` until the runtime stops; the HTTP client closes after."""
        return periodic("notifier_report_delivery", self.settings.delivery_interval_seconds,
                        lambda: self.run_once(self.context.clock.now()), on_stop=self.client.aclose)
