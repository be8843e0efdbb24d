"""Bar charts as geometry, for the dashboard's server-rendered SVG (no chart library, no
JavaScript): each bar's value, the words shown for it and where it is drawn. The template
only draws what this computes, so a test can read a bar's value and label off the SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 560, 220
TOP, BOTTOM, SIDE = 24, 36, 8  # room for the value above a bar and the label below it
GAP = 0.25  # the share of each slot left empty between bars


@dataclass(frozen=True)
class Point:
    label: str  # what the bar stands for: a day, a month, a tier, a consumer group
    value: int  # minor units, a count, or basis points
    shown: str  # the value as the reader reads it (an amount, a percentage, a count)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    shown: str
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class BarChart:
    name: str  # a stable id: the SVG's data-chart, and its title's word key
    bars: tuple[Bar, ...]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> int:
        return self.height - BOTTOM

    @property
    def empty(self) -> bool:
        return not self.bars or all(bar.value == 0 for bar in self.bars)


def bar_chart(name: str, points: Sequence[Point], width: int = WIDTH,
              height: int = HEIGHT) -> BarChart:
    """Bars scaled to the largest value (a negative value is drawn as 0: the charts show
    volumes, costs, counts and rates, none of which is below zero)."""
    if not points:
        return BarChart(name, (), width, height)
    tallest = max(max(point.value for point in points), 1)
    room = height - TOP - BOTTOM
    slot = (width - 2 * SIDE) / len(points)
    bars = []
    for index, point in enumerate(points):
        drawn = room * max(point.value, 0) / tallest
        bars.append(Bar(point.label, point.value, point.shown,
                        x=round(SIDE + index * slot + slot * GAP / 2, 1),
                        y=round(height - BOTTOM - drawn, 1),
                        width=round(slot * (1 - GAP), 1), height=round(drawn, 1)))
    return BarChart(name, tuple(bars), width, height)
