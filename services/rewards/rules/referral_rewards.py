"""What a qualified referral earns the referrer in points, and what a revoked one can
take back. Integers only: points are whole, money is minor units."""

from __future__ import annotations

BASIS_POINTS = 10_000


def referrer_points(qualifying_amount: int, points_bps: int, minor_units_per_point: int) -> int:
    """Points worth `points_bps` of the qualifying amount: 10 % (1000) of a 1000.00
    recharge is worth 100.00, which at 1.00 a point is 100 points; rounded down."""
    worth = qualifying_amount * points_bps // BASIS_POINTS
    return worth // minor_units_per_point


def points_clawback(granted: int, balance: int) -> tuple[int, int]:
    """(points to reverse, points lost): never more than the balance, which never goes
    negative; what the member already spent is recorded as a loss."""
    taken = min(granted, max(balance, 0))
    return taken, granted - taken
