"""The dashboard's figures from the services' report bodies: the periods asked for (days
and months in the merchant's zone) and each chart's points. Pure: bodies in, points out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.console.rules.amounts import format_amount
from services.console.rules.charts import Point

DAY_CHOICES = (7, 14, 30)
MONTHS = 6


def local_days(today: date, count: int) -> list[date]:
    """The `count` days ending today, oldest first."""
    return [today - timedelta(days=back) for back in range(count - 1, -1, -1)]


def local_months(today: date, count: int) -> list[date]:
    """The first days of the `count` months ending with this one, oldest first."""
    months, year, month = [], today.year, today.month
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def span(first: date, after: date, zone: ZoneInfo) -> dict[str, str]:
    """The report query [from, to) for local days `first` up to (not including) `after`."""
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(after, time(), zone)
    return {"from": start.isoformat(), "to": end.isoformat()}


def shown_bps(bps: int) -> str:
    return f"{bps // 100}.{bps % 100 // 10}%"


def per_day(days: Sequence[date], reports: Sequence[Mapping[str, Any]], figure: str,
            currency: str) -> list[Point]:
    """A money figure of the program report (recharge_volume, bonus_cost) per day."""
    return [Point(day.strftime("%m-%d"), int(report[figure]),
                  format_amount(int(report[figure]), currency))
            for day, report in zip(days, reports, strict=True)]


def renewal_rates(months: Sequence[date], reports: Sequence[Mapping[str, Any]]) -> list[Point]:
    """Renewal rate of the terms that ended each month, in basis points (0 with none due)."""
    points = []
    for month, report in zip(months, reports, strict=True):
        rate = report.get("renewal_rate")
        bps = 0 if rate is None else round(float(rate) * 10_000)
        points.append(Point(month.strftime("%Y-%m"), bps,
                            f"{shown_bps(bps)} ({report.get('renewed', 0)}/{report.get('due', 0)})"))
    return points


def members_per_tier(report: Mapping[str, Any], order: Sequence[str]) -> list[Point]:
    """Members per tier, in the tier rules' order (then any other tier a member holds)."""
    counts: Mapping[str, int] = report.get("tiers", {})
    names = list(order) + sorted(set(counts) - set(order))
    return [Point(name, int(counts.get(name, 0)), str(counts.get(name, 0))) for name in names]


def campaign_costs(report: Mapping[str, Any], currency: str) -> list[Point]:
    return [Point(c["offer_id"], int(c["cost"]), format_amount(int(c["cost"]), currency))
            for c in report.get("campaigns", [])]


def per_group(counts: Mapping[str, int]) -> list[Point]:
    return [Point(group, value, str(value)) for group, value in counts.items()]
