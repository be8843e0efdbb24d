"""Who a spend campaign reaches: its window, its weekdays and its segments. One function,
`reaches`, so that a richer targeting (segments as data, stores, tiers) is one change here
and every campaign kind that spends follows it.

Two kinds of segment, as for the recharge bonus and points campaigns: the built-in names
(`segments`: new, dormant, high_value, `rules/offers.py:member_segments`, computed from the
member's recharges before the purchase) and segments as data (`segment_ids`, the member's
rows in `segment_members` before the purchase's own facts are recorded). An offer naming
either reaches a member in at least one of them; naming neither, every member.
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
    segments: frozenset[str] = frozenset()  # built-in names
    segment_ids: frozenset[str] = frozenset()  # segments as data; both empty = every member


@dataclass(frozen=True)
class MemberMoment:
    """What targeting looks at: when, which local weekday, the member's segments then."""

    at: datetime
    local_weekday: int
    segments: frozenset[str] = frozenset()
    segment_ids: frozenset[str] = frozenset()


def reaches(audience: Audience, moment: MemberMoment) -> bool:
    """In the window, on one of its weekdays (if any), in one of its segments (if any)."""
    if moment.at < audience.starts_at or (audience.ends_at and moment.at >= audience.ends_at):
        return False
    if audience.weekdays and moment.local_weekday not in audience.weekdays:
        return False
    if not audience.segments and not audience.segment_ids:
        return True
    return bool(audience.segments & moment.segments) or bool(
        audience.segment_ids & moment.segment_ids)
