"""Renewal prices: the list price per year and the discounts that compose on it.

Discounts are basis points (1000 = 10 % off) and compose multiplicatively, in this order:

1. **segment** (potential / growing / core, by rolling 12-month spend) and
2. **the best one offer** of early renewal, win-back and first renewal (they reward the
   same thing, coming back, so they do not stack with each other),

   which give the rate per year before commitment; that rate is never below the **floor
   per year** (setting; no higher than the list price), then

3. **length**: the discount for committing N years, applied after the floor, so it always
   counts.

The price is `rate per year x years x (1 - length)`, rounded down to the minor unit once,
at the end, in the member's favour.

Why a longer term is always cheaper per year: the rate before commitment is the same for
every length and at least the floor; the length discounts rise strictly with the years, by
at least `min_gap` bps between two lengths on offer; `PriceList` refuses a floor with
`floor x min_gap < 10,000`, so the per-year prices of two lengths differ by at least one
minor unit before rounding, which rounding down once cannot close
(tests/unit/tiering/test_renewal_composition.py proves it over segments, statuses and list
prices).

A renewal-price experiment's variant (`price_bps`, docs/tiering.md "Renewal-price
experiments") is one more component before the floor: a discount (or, negative, a
surcharge) on the rate per year, which the floor still bounds and the length discount still
follows, so a longer term stays cheaper per year.

A renew-and-upgrade quote is the same price plus a surcharge: `upgrade_surcharge_bps` of
the list price per year (rounded down) for each year, the same every year, so it keeps the
same per-year ordering.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from math import floor

from services.tiering.rules.memberships import Status
from services.tiering.rules.segments import Segment

BASIS_POINTS = 10_000
OFFER_NAMES = ("early", "win_back", "first_renewal")


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
    first_renewal_bps: int = 0
    floor_per_year: int = 0  # the rate before the length discount never goes below it
    upgrade_surcharge_bps: int = 0  # renew-and-upgrade: list price per year x this, per year

    def __post_init__(self) -> None:
        check_price_list(self)


@dataclass(frozen=True)
class Component:
    name: str  # segment / length / early / win_back / first_renewal
    bps: int


@dataclass(frozen=True)
class Quote:
    years: int
    list_price: int
    discount_bps: int  # the whole discount, list to price, rounded down (for display)
    price: int
    offer: str  # the largest component, or none
    components: tuple[Component, ...] = ()
    floor_applied: bool = False
    upgrade_price: int | None = None  # renew-and-upgrade price, None if not on offer


class InvalidPriceList(ValueError):
    """A price list refused: `code` is stable for clients, `field` names the figure at fault
    (the settings read it as a ValueError at start; the API answers it as a 422)."""

    def __init__(self, code: str, field: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.field, self.detail = code, field, detail


def check_price_list(prices: PriceList) -> None:
    """Refuse settings under which a longer term might not be cheaper per year."""
    lengths = sorted(prices.lengths)
    if not lengths or lengths[0] < 1 or len(set(lengths)) != len(lengths):
        raise InvalidPriceList("renewal_lengths_invalid", "lengths",
                               "renewal lengths must be distinct positive years")
    bps = [prices.length_bps.get(years, 0) for years in lengths]
    named = [*((f"length_bps.{y}", b) for y, b in zip(lengths, bps, strict=True)),
             *((f"segment_bps.{s}", b) for s, b in prices.segment_bps.items()),
             ("early_bps", prices.early_bps), ("win_back_bps", prices.win_back_bps),
             ("first_renewal_bps", prices.first_renewal_bps),
             ("upgrade_surcharge_bps", prices.upgrade_surcharge_bps)]
    for name, b in named:
        if not 0 <= b < BASIS_POINTS:
            raise InvalidPriceList("renewal_discount_out_of_range", name,
                                   "every discount must be from 0 to 9,999 bps")
    if not 0 < prices.floor_per_year <= prices.price_per_year:
        raise InvalidPriceList("renewal_floor_out_of_range", "floor_per_year",
                               "the floor per year must be above 0 and at most the list price")
    for shorter, longer in itertools.pairwise(range(len(lengths))):
        if bps[longer] <= bps[shorter]:
            raise InvalidPriceList(
                "longer_term_not_cheaper", f"length_bps.{lengths[longer]}",
                f"the {lengths[longer]}-year length discount must be above the "
                f"{lengths[shorter]}-year one: length discounts must rise strictly with the "
                "years, so a longer term is cheaper per year")
    gaps = [longer - shorter for shorter, longer in itertools.pairwise(bps)]
    if gaps and prices.floor_per_year * min(gaps) < BASIS_POINTS:
        raise InvalidPriceList(
            "renewal_floor_too_low", "floor_per_year",
            "floor per year x the smallest length step must be at least 10,000 "
            "(one minor unit a year between lengths), or a longer term could round to the "
            "same price per year")


def best_offer(prices: PriceList, status: Status, end: datetime | None, now: datetime,
               first_renewal: bool) -> Component | None:
    """The one offer for coming back that applies: the largest of early, win-back and first
    renewal (ties go to the name that sorts last, so the choice is stable)."""
    found = []
    if status in ("active", "expiring") and end is not None \
            and end - now >= timedelta(days=prices.early_days):
        found.append(Component("early", prices.early_bps))
    if status == "expired":
        found.append(Component("win_back", prices.win_back_bps))
    if first_renewal and status != "none":
        found.append(Component("first_renewal", prices.first_renewal_bps))
    found = [offer for offer in found if offer.bps > 0]
    return max(found, key=lambda offer: (offer.bps, offer.name), default=None)


def _off(bps: int) -> Fraction:
    return Fraction(BASIS_POINTS - bps, BASIS_POINTS)


def quote(prices: PriceList, years: int, segment: Segment | None, status: Status,
          end: datetime | None, now: datetime, *, first_renewal: bool = False,
          upgrade: bool = False, experiment_bps: int = 0) -> Quote:
    components = []
    if segment is not None and prices.segment_bps.get(segment, 0) > 0:
        components.append(Component("segment", prices.segment_bps[segment]))
    if (offer := best_offer(prices, status, end, now, first_renewal)) is not None:
        components.append(offer)
    if experiment_bps:  # a renewal-price experiment's variant: before the floor, like offers
        components.append(Component("experiment", experiment_bps))
    rate = Fraction(prices.price_per_year)
    for component in components:
        rate *= _off(component.bps)
    floor_applied = rate < prices.floor_per_year
    rate = max(rate, Fraction(prices.floor_per_year))
    if (length := prices.length_bps.get(years, 0)) > 0:
        components.append(Component("length", length))
    price = floor(rate * years * _off(length))  # the one rounding, down
    list_price = prices.price_per_year * years
    # per year, rounded down, then times the years: the same surcharge every year, so the
    # per-year ordering of the prices carries over to the upgrade prices
    surcharge = prices.price_per_year * prices.upgrade_surcharge_bps // BASIS_POINTS * years
    largest = max(components, key=lambda c: (c.bps, c.name), default=None)
    return Quote(years, list_price, (list_price - price) * BASIS_POINTS // list_price, price,
                 largest.name if largest else "none", tuple(components), floor_applied,
                 price + surcharge if upgrade else None)


def quotes(prices: PriceList, segment: Segment | None, status: Status, end: datetime | None,
           now: datetime, *, first_renewal: bool = False, upgrade: bool = False,
           experiment_bps: int = 0) -> tuple[Quote, ...]:
    return tuple(quote(prices, years, segment, status, end, now, first_renewal=first_renewal,
                       upgrade=upgrade, experiment_bps=experiment_bps)
                 for years in prices.lengths)
