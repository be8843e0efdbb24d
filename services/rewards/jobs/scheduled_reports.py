"""The scheduled reports: once a day the daily report of yesterday, once a week the weekly
report of last Monday to Sunday (the merchant's time zone), each with the headline KPIs and
the risk report, stored once and announced with `ScheduledReportPublished` (the notifier
sends it to ops recipients).

Leader-locked (`rewards.scheduled_reports`): one replica works a round. The lock saves
work; that a report is made once comes from its row, unique on kind and period start
(store/scheduled_reports.py), so a rerun, a restart or two replicas make one report.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.rewards.rules import kpis as rules
from services.rewards.store import scheduled_reports
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.jobs import leads


async def produce_due(open_uow: UnitOfWorkFactory, now: datetime, zone: ZoneInfo,
                      currency: str) -> list[str]:
    """The ids of the reports this round made (none when another replica leads, or when
    both of the due reports exist already)."""
    today = rules.local_day(now, zone)
    made: list[str] = []
    async with open_uow() as uow:
        if not await leads(uow.connection, "rewards.scheduled_reports"):
            return made
        for kind, (start, end) in (("daily", rules.daily_period(today)),
                                   ("weekly", rules.weekly_period(today))):
            report_id = await scheduled_reports.produce(uow, kind, start, end, zone, currency,
                                                        now)
            if report_id is not None:
                made.append(report_id)
    return made
