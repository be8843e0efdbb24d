"""Paid membership terms as plain values: what a purchase renews, renewals that stack,
grace, status and the reminder points.

A renewal of N years starts where the member's membership ends if that end is still ahead
or within the grace period (the membership continues without a gap); after the grace
period it starts at the purchase (a win-back starts a fresh membership).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from shared.dates import add_years
from shared.events.wallet import PurchaseCompleted

Status = Literal["none", "active", "expiring", "grace", "expired"]
MEMBERSHIP_CATEGORY = "membership"
# membership-<N>y renews N years; membership-<N>y-upgrade also moves up a tier for the term
_SKU = re.compile(r"^membership-([1-9][0-9]?)y(-upgrade)?$")
UPGRADE_SUFFIX = "-upgrade"


@dataclass(frozen=True)
class TermSpan:
    start: datetime
    end: datetime


def renewal_sku(years: int, upgrade: bool = False) -> str:
    return f"membership-{years}y" + (UPGRADE_SUFFIX if upgrade else "")


def renewal_years(sku: str, category: str | None) -> int | None:
    """Years bought by a purchase line: `category == "membership"` and `sku ==
    "membership-<N>y"` (or `"membership-<N>y-upgrade"`)."""
    if category != MEMBERSHIP_CATEGORY:
        return None
    match = _SKU.match(sku)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Renewal:
    """What a purchase's membership lines buy. Only a line bought against a quote (its
    `quote_id`, which the wallet checked against the signed quote) renews, once; any other
    membership line (no quote, or a quantity other than the quote's 1) is recorded in
    `unquoted` and skipped. No membership line is ever qualifying spend."""

    years: int  # the quoted lines' years; 0 when none was quoted
    price: int  # the quoted lines' amount: the term's price
    unquoted: tuple[str, ...] = ()  # skus of membership lines that renew nothing
    unquoted_amount: int = 0
    upgrade: bool = False  # a quoted line was the renew-and-upgrade product

    @property
    def membership_amount(self) -> int:
        return self.price + self.unquoted_amount


def renewal_in(purchase: PurchaseCompleted) -> Renewal | None:
    """The membership a purchase buys, over its membership lines; None if it has none."""
    lines = [(renewal_years(i.sku, i.category), i) for i in purchase.items]
    membership = [(years, item) for years, item in lines if years]
    if not membership:
        return None
    quoted = [(years, item) for years, item in membership
              if item.quote_id is not None and item.quantity == 1]
    unquoted = [item for years, item in membership if (years, item) not in quoted]
    return Renewal(sum(y for y, _ in quoted), sum(i.amount for _, i in quoted),
                   tuple(i.sku for i in unquoted), sum(i.amount for i in unquoted),
                   any(i.sku.endswith(UPGRADE_SUFFIX) for _, i in quoted))


def renewed_term(current_end: datetime | None, bought_at: datetime, years: int,
                 grace: timedelta) -> TermSpan:
    """The span a renewal adds. Stacks on the current end while it is ahead or in grace."""
    continues = current_end is not None and bought_at <= current_end + grace
    start = current_end if continues and current_end is not None else bought_at
    return TermSpan(start, add_years(start, years))


def status(end: datetime | None, now: datetime, expiring_within: timedelta,
           grace: timedelta) -> Status:
    if end is None:
        return "none"
    if now >= end + grace:
        return "expired"
    if now >= end:
        return "grace"
    if now >= end - expiring_within:
        return "expiring"
    return "active"


def whole_days_left(end: datetime, now: datetime) -> int:
    return max(0, (end - now).days)


def due_offsets(end: datetime, now: datetime, offsets: tuple[int, ...]) -> tuple[int, ...]:
    """Reminder offsets (days before the end) whose moment has come, before the end."""
    if now >= end:
        return ()
    return tuple(sorted(d for d in offsets if now >= end - timedelta(days=d)))


def next_due(end: datetime, now: datetime, offsets: tuple[int, ...]) -> datetime | None:
    """The next moment after `now` the membership reminder job has work for a term: a
    reminder offset or the end itself; None once the end has passed (the expiry is done)."""
    moments = [end - timedelta(days=d) for d in offsets] + [end]
    later = [moment for moment in moments if moment > now]
    return min(later) if later else None


def first_due(end: datetime, offsets: tuple[int, ...]) -> datetime:
    """When a new term first needs the membership reminder job: its earliest reminder (or
    its end)."""
    return end - timedelta(days=max(offsets, default=0))
