"""The default tier benefits that pay money-like value, in one place: tiering's default
ladder (version 0, what `GET /v1/tiers` shows before ops publish rules) and rewards'
fallback before it has seen any `TierProgramPublished` both read these, so what a member
is shown and what they are paid cannot diverge before the first event.

Multipliers are basis points (12000 = x1.2). `points_multiplier_bps` scales the points a
purchase earns; `bonus_multiplier_bps` scales the recharge bonus (ladder + first recharge
+ cumulative rebate). A tier not listed multiplies by x1.
"""

from __future__ import annotations

from dataclasses import dataclass

X1 = 10_000


@dataclass(frozen=True)
class Multipliers:
    points_multiplier_bps: int = X1
    bonus_multiplier_bps: int = X1


DEFAULT_MULTIPLIERS: dict[str, Multipliers] = {
    "regular": Multipliers(),
    "silver": Multipliers(points_multiplier_bps=12_000, bonus_multiplier_bps=11_000),
    "gold": Multipliers(points_multiplier_bps=15_000, bonus_multiplier_bps=12_000),
    "diamond": Multipliers(points_multiplier_bps=20_000, bonus_multiplier_bps=15_000),
}

# The default ladder's tier discounts (basis points: 500 = 5 % off): tiering's version 0
# and the wallet's tier discount at the till before it has seen a `TierProgramPublished`.
DEFAULT_DISCOUNT_BPS: dict[str, int] = {"regular": 0, "silver": 300, "gold": 500, "diamond": 1000}
