"""Experiment results as figures: each arm's conversion, revenue and cost per member, and
each variant's lift over the holdout with its 95 % interval drawn as an interval chart
(a dot for the estimate, a line from low to high, a zero line: an interval that crosses it
cannot tell the variant from the holdout yet). Pure geometry, as rules/charts.py: the
template only draws it, and each row carries its figures as data attributes.

Rewards' report gives rates as fractions and money per member as floats (estimates, not
money moved); they are shown here as whole basis points and whole minor units."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from services.console.rules.amounts import format_amount
from services.console.rules.kpi_panel import NOTHING, shown_bps_exact

WIDTH, ROW, LABEL, PAD = 560, 34, 110, 12  # the arm's name is written left of its row
HOLDOUT = "holdout"


@dataclass(frozen=True)
class IntervalRow:
    arm: str
    estimate: int  # bps of conversion, or minor units of revenue per member
    low: int
    high: int
    shown: str
    y: float
    x_estimate: float
    x_low: float
    x_high: float


@dataclass(frozen=True)
class IntervalChart:
    name: str  # data-chart: "<experiment>-conversion_lift" / "-revenue_lift"
    rows: tuple[IntervalRow, ...]
    zero_x: float
    width: int = WIDTH

    @property
    def height(self) -> int:
        return max(len(self.rows), 1) * ROW + 2 * PAD


@dataclass(frozen=True)
class ArmRow:
    arm: str
    exposed: int
    conversion_bps: int | None
    revenue_per_member: int | None
    cost_per_member: int | None
    shown_conversion: str
    shown_revenue: str
    shown_cost: str
    roi: str  # incremental ROI as a percentage, or — (the holdout; a variant that cost 0)


def bps_of(fraction: float | None) -> int | None:
    return None if fraction is None else round(fraction * 10_000)


def minor_of(amount: float | None) -> int | None:
    return None if amount is None else round(amount)


def arm_rows(report: Mapping[str, Any], currency: str) -> list[ArmRow]:
    rows = []
    for arm in report.get("arms", []):
        conversion = bps_of(arm.get("conversion_rate"))
        revenue, cost = minor_of(arm.get("revenue_per_member")), minor_of(arm.get("cost_per_member"))
        roi = bps_of(arm.get("incremental_roi"))
        rows.append(ArmRow(
            arm["arm"], int(arm.get("exposed") or 0), conversion, revenue, cost,
            NOTHING if conversion is None else shown_bps_exact(conversion),
            NOTHING if revenue is None else format_amount(revenue, currency),
            NOTHING if cost is None else format_amount(cost, currency),
            NOTHING if roi is None else shown_bps_exact(roi)))
    return rows


def interval_chart(name: str, intervals: Sequence[tuple[str, int, int, int]],
                   shown: Callable[[int], str], width: int = WIDTH) -> IntervalChart:
    """Rows of (arm, estimate, low, high) on one scale, symmetric around zero so the zero
    line is in the middle and a lift's side of it is seen at a glance."""
    reach = max([abs(v) for _, e, lo, hi in intervals for v in (e, lo, hi)] + [1])
    middle, half = LABEL + (width - LABEL - PAD) / 2, (width - LABEL - PAD) / 2

    def x(value: int) -> float:
        return round(middle + half * value / reach, 1)

    rows = tuple(IntervalRow(arm, estimate, low, high,
                             f"{shown(estimate)} [{shown(low)}, {shown(high)}]",
                             y=PAD + index * ROW + ROW / 2, x_estimate=x(estimate),
                             x_low=x(low), x_high=x(high))
                 for index, (arm, estimate, low, high) in enumerate(intervals))
    return IntervalChart(name, rows, round(middle, 1), width)


def lift_charts(report: Mapping[str, Any], currency: str) -> dict[str, IntervalChart]:
    """The conversion lift (bps) and revenue lift per member (minor units) of every variant
    that has an interval; a variant without one (too few members) is left off the chart
    and its table row says —."""
    experiment = report["experiment_id"]
    charts = {}
    for figure, scale, shown in (
            ("conversion_lift", 10_000, shown_bps_exact),
            ("revenue_lift", 1, lambda minor: format_amount(minor, currency))):
        intervals = [(arm["arm"], round(lift["estimate"] * scale), round(lift["low"] * scale),
                      round(lift["high"] * scale))
                     for arm in report.get("arms", [])
                     if arm["arm"] != HOLDOUT and (lift := arm.get(figure))]
        charts[figure] = interval_chart(f"{experiment}-{figure}", intervals, shown)
    return charts
