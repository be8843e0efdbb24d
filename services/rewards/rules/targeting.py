"""Who a spend campaign reaches: its window, its weekdays and its segments. One function,
`reaches`, so that a richer targeting (segments as data, stores, tiers) is one change here
and every campaign kind that spends follows it.

The segments are the recharge bonus's (`rules/offers.py:member_segments`: new, dormant,
high_value), computed from the member's recharges before the purchase.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Audience:
    """An offer's targeting: its effective window and, optionally, weekdays and segments."""

    starts_at: datetime
    ends_at: datetime | None
    weekdays: frozenset[int] = frozenset()  # 0 = Monday, merchant's zone; empty = every day
    segments: frozenset[str] = frozenset()  # empty = every member


@dataclass(frozen=True)
class MemberMoment:
    """What targeting looks at: when, which local weekday, the member's segments then."""

    at: datetime
    local_weekday: int
    segments: frozenset[str] = frozenset()


def reaches(audience: Audience, moment: MemberMoment) -> bool:
    """In the window, on one of its weekdays (if any), in one of its segments (if any)."""
    if moment.at < audience.starts_at or (audience.ends_at and moment.at >= audience.ends_at):
        return False
    if audience.weekdays and moment.local_weekday not in audience.weekdays:
        return False
    return not audience.segments or bool(audience.segments & moment.segments)
