"""Points rules: how many a purchase earns, when they expire, and which lots a redemption,
an expiry or a refund takes them from. Pure; points are integers.

A member's points live in lots (one per earning), each with what is left of it and its
expiry. Redemptions and reversals consume lots first-to-expire first (FIFO), so the points
a member loses to expiry are always the oldest ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.rule_violations import RuleViolation

BASIS_POINTS = 10_000


class NotEnoughPoints(RuleViolation):
    """422 `insufficient_points`; the problem carries the member's `balance`."""

    def __init__(self, wanted: int, balance: int) -> None:
        super().__init__("insufficient_points", f"{wanted} points wanted, {balance} available",
                         balance=balance)
        self.wanted, self.balance = wanted, balance


@dataclass(frozen=True)
class Lot:
    entry_id: str
    remaining: int
    expires_at: datetime | None
    source_id: str | None = None  # what earned it (a purchase's own lot goes first on its refund)


def points_for_amount(eligible: int, minor_units_per_point: int, multipliers_bps: Sequence[int] = ()
                      ) -> int:
    """Whole currency units x each multiplier, rounded down once at the end."""
    points = eligible // minor_units_per_point
    numerator, denominator = points, 1
    for bps in multipliers_bps:
        numerator, denominator = numerator * bps, denominator * BASIS_POINTS
    return numerator // denominator


def purchase_eligible_amount(total: int, paid_bonus: int) -> int:
    """Bonus money was a gift: spending it earns nothing."""
    return total - paid_bonus


def expiry_for(earned_at: datetime, years_after: int) -> datetime | None:
    """End of the year `years_after` years after the earning year (1: end of next year);
    0 or less: never."""
    if years_after <= 0:
        return None
    return datetime(earned_at.year + years_after + 1, 1, 1, tzinfo=UTC)


def fifo_order(lots: Sequence[Lot]) -> list[Lot]:
    never = datetime.max.replace(tzinfo=UTC)
    return sorted(lots, key=lambda lot: (lot.expires_at or never, lot.entry_id))


def take_from_lots(lots: Sequence[Lot], points: int) -> list[tuple[str, int]]:
    """(entry_id, points taken) in the order given; raises when the lots hold too few."""
    available = sum(lot.remaining for lot in lots)
    if points > available:
        raise NotEnoughPoints(points, available)
    taken: list[tuple[str, int]] = []
    for lot in lots:
        if points == 0:
            break
        take = min(lot.remaining, points)
        if take:
            taken.append((lot.entry_id, take))
            points -= take
    return taken


def expired(lots: Sequence[Lot], now: datetime) -> list[Lot]:
    return [lot for lot in lots if lot.remaining and lot.expires_at and lot.expires_at <= now]


def reversal_due(earned: int, purchase_total: int, refunded_so_far: int, reversed_so_far: int
                 ) -> int:
    """Points still to take back after refunds adding up to `refunded_so_far`: proportional
    on the cumulative refund, so several partial refunds never reverse more than a full one."""
    if purchase_total <= 0:
        return 0
    refunded = min(refunded_so_far, purchase_total)
    return max(0, earned * refunded // purchase_total - reversed_so_far)
