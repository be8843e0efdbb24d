"""Scheduled outreach: birthday greetings, the monthly statement on its day, and a
we-miss-you message to members quiet for `inactive_days`.

`run_once(now)` queues what the merchant's current day owes (its time zone is
`default_time_zone`); `run(stop)` calls it every `schedule_interval_seconds`, so a day is
covered many times over and a replica that was down catches up on its next tick. Each
run is one transaction under `pg_try_advisory_xact_lock(<schedules>)`, and every message
has a dedup key (kind, member, year / month / last visit): running again adds nothing.
The messages then go through the delivery job like any other (consent, caps, quiet hours).
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text

from services.notifier.rules.schedules import birthdays_on, quiet_since, statement_month
from services.notifier.settings import NotifierSettings
from services.notifier.store import schedules
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)
LOCK_KEY = zlib.crc32(b"patronage.notifier.schedules")
TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")


@dataclass
class Queued:
    birthdays: int = 0
    statements: int = 0
    quiet_members: int = 0


class ScheduledOutreach:
    def __init__(self, context: ServiceContext[NotifierSettings],
                 settings: NotifierSettings | None = None) -> None:
        self.context = context
        self.settings = settings or context.settings
        self.zone = ZoneInfo(self.settings.default_time_zone)

    async def run_once(self, now: datetime) -> Queued:
        queued = Queued()
        today = now.astimezone(self.zone).date()
        async with self.context.uow() as uow:
            if not (await uow.connection.execute(TRY_LEAD, {"key": LOCK_KEY})).scalar_one():
                return queued
            queued.birthdays = await schedules.queue_birthdays(
                uow.connection, birthdays_on(today), today.year, now)
            month = statement_month(today, self.settings.statement_day)
            if month is not None:
                queued.statements = await schedules.queue_statements(
                    uow.connection, month, self.settings.currency, now)
            queued.quiet_members = await schedules.queue_quiet_members(
                uow.connection, quiet_since(today, self.zone, self.settings.inactive_days), now)
        return queued

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                queued = await self.run_once(self.context.clock.now())
                if queued.birthdays or queued.statements or queued.quiet_members:
                    log.info("notifier_schedules_ran", **queued.__dict__)
            except Exception as error:  # keep scheduling whatever broke: DB restart, network
                log.warning("notifier_schedules_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.schedule_interval_seconds)
            except TimeoutError:
                pass
