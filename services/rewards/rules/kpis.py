"""The program's KPIs as pure arithmetic (docs/kpis.md has each definition in words): which
KPIs there are and in what unit, the periods they are asked for (a range of the merchant's
local days), rates in basis points, and the headline figures of a scheduled report.

store/kpi_queries.py counts the numerators and denominators; everything that divides,
rounds or decides what a period is lives here, so it is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from shared.rule_violations import NotFound, RuleViolation

Unit = Literal["minor_units", "count", "bps"]
MAX_PERIOD_DAYS = 366
# The days a period may name: far enough apart for any program, near enough that the period
# before one (churn) and the day after one (its end in UTC) are still dates.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)
# A term whose member buys the next one within this many days of its end counts as renewed.
RENEWAL_GRACE_DAYS = 30


@dataclass(frozen=True)
class Kpi:
    """One KPI's answer: `value` is numerator / denominator in its unit (None when the
    denominator is 0, or when the KPI cannot be cut by the filter asked for)."""

    name: str
    unit: Unit
    value: int | None
    numerator: int | None = None
    denominator: int | None = None
    breakdown: tuple[tuple[str, int | None, int | None, int | None], ...] = field(default=())


# name -> (unit, can be filtered by store). Order is the order of the API's answer.
KPIS: dict[str, tuple[Unit, bool]] = {
    "active_members": ("count", True),
    "daily_active_members": ("count", True),
    "recharge_conversion": ("bps", True),
    "arpu": ("minor_units", True),
    "average_order_value": ("minor_units", True),
    "repeat_purchase_rate": ("bps", True),
    "churn_rate": ("bps", True),
    "paid_member_share": ("bps", True),
    "paid_member_revenue_share": ("bps", True),
    "renewal_rate": ("bps", True),
    "referral_share": ("bps", True),
    "points_per_qualified_referral": ("count", False),
    "tier_distribution": ("count", True),
    "tier_moves": ("count", False),
    "bonus_cost": ("minor_units", False),
    "breakage": ("minor_units", False),
    "bonus_liability": ("minor_units", False),
    "review_turnaround_median_seconds": ("count", False),
    "review_turnaround_p90_seconds": ("count", False),
    "notification_reach": ("bps", False),
    "opt_out_rate": ("bps", False),
}
# What a scheduled report carries as its headline figures (ScheduledReportPublished.figures).
HEADLINE = ("active_members", "recharge_conversion", "arpu", "repeat_purchase_rate",
            "paid_member_share", "renewal_rate", "referral_share", "bonus_cost", "breakage",
            "bonus_liability")


class UnknownKpi(NotFound):
    def __init__(self, name: str) -> None:
        super().__init__("kpi_not_found", f"No KPI named {name!r} (docs/kpis.md lists them).")


def kpi_unit(name: str) -> Unit:
    if name not in KPIS:
        raise UnknownKpi(name)
    return KPIS[name][0]


def check_period(start: date, end: date) -> None:
    """[start, end] in local days, both included: 422 `invalid_period` when end is before
    start, `period_too_long` beyond MAX_PERIOD_DAYS (the answer's cost grows with days),
    `date_out_of_range` outside FIRST_DAY..LAST_DAY."""
    if not (FIRST_DAY <= start <= LAST_DAY and FIRST_DAY <= end <= LAST_DAY):
        raise RuleViolation("date_out_of_range",
                            f"Days are between {FIRST_DAY} and {LAST_DAY}.")
    if end < start:
        raise RuleViolation("invalid_period", "'to' must not be before 'from'.")
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise RuleViolation("period_too_long",
                            f"A period is at most {MAX_PERIOD_DAYS} days.")


def days_in(start: date, end: date) -> int:
    return (end - start).days + 1


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before: churn compares the two."""
    length = days_in(start, end)
    return start - timedelta(days=length), start - timedelta(days=1)


def rate_bps(numerator: int, denominator: int) -> int | None:
    """numerator / denominator in basis points, rounded down; None for an empty denominator."""
    return numerator * 10_000 // denominator if denominator else None


def per(numerator: int, denominator: int) -> int | None:
    """An average in whole units (minor units, seconds), rounded down."""
    return numerator // denominator if denominator else None


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def day_bounds(start: date, end: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC moments [first instant of start, first instant after end) in the zone."""
    first = datetime(start.year, start.month, start.day, tzinfo=zone)
    after = end + timedelta(days=1)
    return first.astimezone(UTC), datetime(after.year, after.month, after.day,
                                           tzinfo=zone).astimezone(UTC)


def daily_period(today: date) -> tuple[date, date]:
    """A daily report covers yesterday."""
    yesterday = today - timedelta(days=1)
    return yesterday, yesterday


def weekly_period(today: date) -> tuple[date, date]:
    """A weekly report covers the last whole week, Monday to Sunday, before today's week."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(days=7), this_monday - timedelta(days=1)


def report_id(kind: str, start: date) -> str:
    """One report per kind and period: the id says which, so a rerun finds it."""
    return f"{kind}-{start.isoformat()}"


def headline_figures(kpis: list[Kpi]) -> list[tuple[str, int, Unit]]:
    """The headline KPIs that have a value, as (name, value, unit)."""
    by_name = {kpi.name: kpi for kpi in kpis}
    return [(name, by_name[name].value, by_name[name].unit)  # type: ignore[misc]
            for name in HEADLINE if name in by_name and by_name[name].value is not None]


def risk_figures(risk: dict[str, int | None]) -> list[tuple[str, int, Unit]]:
    """The risk report's headline figures (store/risk_report.py), named as the notifier's
    report message shows them: each decision's count and the amount it is about (held and
    rejected: the recharges' principal; approved: the bonus paid)."""
    return [("bonus_held", int(risk["held"] or 0), "count"),
            ("bonus_held_amount", int(risk["held_recharge_amount"] or 0), "minor_units"),
            ("bonus_approved", int(risk["approved"] or 0), "count"),
            ("bonus_approved_amount", int(risk["approved_bonus"] or 0), "minor_units"),
            ("bonus_rejected", int(risk["rejected"] or 0), "count"),
            ("bonus_rejected_amount", int(risk["rejected_recharge_amount"] or 0),
             "minor_units"),
            ("bonus_still_held", int(risk["still_held"] or 0), "count")]


def csv_rows(kpis: list[Kpi]) -> list[list[object]]:
    """One row per KPI and one per breakdown entry: name, key, value, unit, numerator,
    denominator (empty cells for None)."""
    rows: list[list[object]] = [["name", "key", "value", "unit", "numerator", "denominator"]]
    for kpi in kpis:
        rows.append([kpi.name, "", _cell(kpi.value), kpi.unit, _cell(kpi.numerator),
                     _cell(kpi.denominator)])
        for key, value, numerator, denominator in kpi.breakdown:
            rows.append([kpi.name, key, _cell(value), kpi.unit, _cell(numerator),
                         _cell(denominator)])
    return rows


def _cell(value: int | None) -> object:
    return "" if value is None else value


def kpi_body(kpi: Kpi) -> dict[str, object]:
    """A KPI as JSON: the API's answer and a stored report's."""
    body: dict[str, object] = {"name": kpi.name, "unit": kpi.unit, "value": kpi.value,
                               "numerator": kpi.numerator, "denominator": kpi.denominator}
    if kpi.breakdown:
        body["breakdown"] = [{"key": key, "value": value, "numerator": numerator,
                              "denominator": denominator}
                             for key, value, numerator, denominator in kpi.breakdown]
    return body


def kpi_from_body(body: dict) -> Kpi:
    """A stored report's KPI back as a value (its CSV)."""
    return Kpi(body["name"], body["unit"], body["value"], body.get("numerator"),
               body.get("denominator"), tuple((b["key"], b["value"], b["numerator"],
                                               b["denominator"])
                                              for b in body.get("breakdown", ())))
