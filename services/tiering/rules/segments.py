"""Renewal segments by annual spend: who gets which renewal offer.

potential: below `growing_from`; growing: from `growing_from` up to `core_above`; core:
above `core_above`. Defaults (settings) are 5,000 and 20,000 in major units.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Segment = Literal["potential", "growing", "core"]
SEGMENTS: tuple[Segment, ...] = ("potential", "growing", "core")


@dataclass(frozen=True)
class SegmentBounds:
    growing_from: int
    core_above: int


def segment(annual_spend: int, bounds: SegmentBounds) -> Segment:
    if annual_spend > bounds.core_above:
        return "core"
    if annual_spend >= bounds.growing_from:
        return "growing"
    return "potential"
