"""What the scheduled outreach sends on a given local day: the monthly statement, and a
we-miss-you message to members quiet for a while."""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The merchant's calendar month `moment` falls in, `YYYY-MM`."""
    return moment.astimezone(zone).strftime("%Y-%m")


def statement_month(day: date, statement_day: int) -> str | None:
    """The month whose statement goes out on `day` (the previous month), or None if `day`
    is not the statement day. A statement day past the month's end is its last day."""
    last = calendar.monthrange(day.year, day.month)[1]
    if day.day != min(statement_day, last):
        return None
    previous = day.replace(day=1) - timedelta(days=1)
    return previous.strftime("%Y-%m")


def quiet_since(day: date, zone: ZoneInfo, inactive_days: int) -> datetime:
    """Members last seen before this moment have been quiet for `inactive_days` on `day`."""
    return datetime.combine(day - timedelta(days=inactive_days), time(0), tzinfo=zone)
