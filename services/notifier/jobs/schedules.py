"""Scheduled outreach: the monthly statement on its day, and a we-miss-you message to
members quiet for `inactive_days`. (Birthday greetings come from tiering's MemberBirthday,
handlers.py: the notifier does not know birthdays.)

`run_once(now)` queues what the merchant's current day owes (its time zone is
`default_time_zone`); `background_jobs` runs it every `schedule_interval_seconds`, so a day is
covered many times over and a replica that was down catches up on its next tick. Each
run is one transaction under `pg_try_advisory_xact_lock(<schedules>)`, and every message
has a dedup key (kind, member, month / last visit): running again adds nothing.
The messages then go through the delivery job like any other (consent, caps, quiet hours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.notifier.rules.schedules import quiet_since, statement_month
from services.notifier.settings import NotifierSettings
from services.notifier.store import schedules
from shared.jobs import leads
from shared.service import ServiceContext


@dataclass
class Queued:
    statements: int = 0
    quiet_members: int = 0

    def __bool__(self) -> bool:  # something was queued: worth a log line
        return any(vars(self).values())


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
            if not await leads(uow.connection, "notifier.schedules"):
                return queued
            month = statement_month(today, self.settings.statement_day)
            if month is not None:
                queued.statements = await schedules.queue_statements(
                    uow.connection, month, self.settings.currency, now)
            queued.quiet_members = await schedules.queue_quiet_members(
                uow.connection, quiet_since(today, self.zone, self.settings.inactive_days), now)
        return queued
