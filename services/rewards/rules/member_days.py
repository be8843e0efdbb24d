"""Member-day product discounts, pure: on its weekday (the merchant's zone) a
`member_day_discount` offer takes `bps` off every line of its category. The till applies
it (docs/rewards.md, "Member-day discounts"): each line's discount rounds down, and the
line goes to the wallet's purchase at its amount after the discount."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class MemberDayDiscount:
    offer_id: str
    name: str
    weekday: int  # 0 = Monday
    category: str
    bps: int


def member_day_discount(row: Mapping[str, Any]) -> MemberDayDiscount:
    terms = row["terms"]
    return MemberDayDiscount(row["offer_id"], row["name"], terms["weekday"], terms["category"],
                             terms["bps"])


def discounts_on(offers: Iterable[MemberDayDiscount], local_weekday: int,
                 category: str | None = None) -> list[MemberDayDiscount]:
    """The discounts of the day, for one category or all; one per category, the largest."""
    best: dict[str, MemberDayDiscount] = {}
    for offer in offers:
        if offer.weekday != local_weekday or (category and offer.category != category):
            continue
        if offer.category not in best or offer.bps > best[offer.category].bps:
            best[offer.category] = offer
    return sorted(best.values(), key=lambda o: o.category)


def line_discount(amount: int, bps: int) -> int:
    """What the till takes off a line of `amount` (rounded down: never more than the rate)."""
    return amount * bps // BASIS_POINTS
