"""Renewal prices: list price per year, and the one best discount that applies.

Discounts are basis points (1000 = 10 % off) and never stack: a quote takes the largest of
the length discount (e.g. 1 year 10 %, 2 years 20 %), the segment discount (potential 20 %,
growing 30 %, core 40 %), the early-renewal discount (renewing well before the end) and the
win-back discount (membership lapsed past its grace). Prices round down to the minor unit
in the member's favour.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.tiering.rules.memberships import Status
from services.tiering.rules.segments import Segment

BASIS_POINTS = 10_000


@dataclass(frozen=True)
class PriceList:
    currency: str
    price_per_year: int
    lengths: tuple[int, ...]
    length_bps: Mapping[int, int]
    segment_bps: Mapping[str, int]
    early_bps: int
    early_days: int  # renewing at least this many days before the end counts as early
    win_back_bps: int


@dataclass(frozen=True)
class Quote:
    years: int
    list_price: int
    discount_bps: int
    price: int
    offer: str  # which discount won: length / segment / early / win_back / none


def offers(prices: PriceList, years: int, segment: Segment | None, status: Status,
           end: datetime | None, now: datetime) -> dict[str, int]:
    found = {"length": prices.length_bps.get(years, 0)}
    if segment is not None:
        found["segment"] = prices.segment_bps.get(segment, 0)
    early = end is not None and end - now >= timedelta(days=prices.early_days)
    if early and status in ("active", "expiring"):
        found["early"] = prices.early_bps
    if status == "expired":
        found["win_back"] = prices.win_back_bps
    return found


def quote(prices: PriceList, years: int, segment: Segment | None, status: Status,
          end: datetime | None, now: datetime) -> Quote:
    list_price = prices.price_per_year * years
    name, bps = max(offers(prices, years, segment, status, end, now).items(),
                    key=lambda offer: (offer[1], offer[0]))
    if bps <= 0:
        name, bps = "none", 0
    discount = -(-list_price * bps // BASIS_POINTS)  # rounds up: the price rounds down
    return Quote(years, list_price, bps, list_price - discount, name)


def quotes(prices: PriceList, segment: Segment | None, status: Status, end: datetime | None,
           now: datetime) -> tuple[Quote, ...]:
    return tuple(quote(prices, years, segment, status, end, now) for years in prices.lengths)
