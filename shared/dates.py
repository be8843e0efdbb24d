"""Calendar arithmetic every service shares: "a year later" and "N months later" as a
merchant means them (the same day, clamped to the month's end), never a fixed timedelta."""

from __future__ import annotations

from datetime import datetime


def add_years(moment: datetime, years: int) -> datetime:
    """Same month and day N years on; 29 February becomes 28 February in common years."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def months_later(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later, clamped to the month's last day (Jan 31 + 1
    month = Feb 28/29)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))
