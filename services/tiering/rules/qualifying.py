"""What a wallet event counts for towards the qualifying measures, as plain values.

A purchase counts its total minus its membership lines (buying the membership does not
earn a tier). A refund counts negative, never below what is still counted of the source it
refunds: a purchase refund first pays back a revoked membership term (that part was never
counted), then lowers the spend; a recharge refund takes its principal back out. Spend
counts in the rolling 12 months `(now - 1 year, now]`; lifetime recharge always counts.
"""

from __future__ import annotations

from datetime import datetime

from services.tiering.rules.memberships import Renewal
from services.tiering.rules.tiers import Standing
from shared.dates import add_years


def purchase_spend(total: int, renewal: Renewal | None) -> int:
    return max(0, total - (renewal.membership_amount if renewal else 0))


def purchase_refund_spend(refunded: int, revoked_price: int, still_counted: int) -> int:
    """The (negative) spend entry of a purchase refund; `revoked_price` is the price of the
    membership term the refund revoked, 0 if none."""
    return -min(max(0, refunded - revoked_price), still_counted)


def recharge_refund_amount(principal_refunded: int, still_counted: int) -> int:
    return -min(principal_refunded, still_counted)


def rolling_year_start(now: datetime) -> datetime:
    """Spend counted after this moment (exclusive) and up to `now` is in the 12 months."""
    return add_years(now, -1)


def in_rolling_year(counted_at: datetime, now: datetime) -> bool:
    return rolling_year_start(now) < counted_at <= now


def standing_of(spend_12m: int, lifetime_recharge: int) -> Standing:
    """The standing from raw sums: a measure never counts below zero."""
    return Standing(max(0, spend_12m), max(0, lifetime_recharge))
