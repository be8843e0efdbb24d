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
_SKU = re.compile(r"^membership-([1-9][0-9]?)y$")


@dataclass(frozen=True)
class TermSpan:
    start: datetime
    end: datetime


def renewal_years(sku: str, category: str | None) -> int | None:
    """Years bought by a purchase line: `category == "membership"` and `sku == "membership-<N>y"`."""
    if category != MEMBERSHIP_CATEGORY:
        return None
    match = _SKU.match(sku)
    return int(match.group(1)) if match else None


@dataclass(frozen=True)
class Renewal:
    years: int
    price: int  # the membership lines' amount: not qualifying spend


def renewal_in(purchase: PurchaseCompleted) -> Renewal | None:
    """The membership a purchase buys, summed over its membership lines; None if none."""
    lines = [(renewal_years(i.sku, i.category), i) for i in purchase.items]
    bought = [(years * item.quantity, item.amount) for years, item in lines if years]
    if not bought:
        return None
    return Renewal(sum(y for y, _ in bought), sum(a for _, a in bought))


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
