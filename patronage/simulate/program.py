"""The program a simulation runs: the services' own rule values, in one place.

`default_program()` is what the services start with: rewards' default offers (seeded by
its migration 0002; `tests/integration/simulate/test_default_program.py` reads them back
from a migrated database and fails if they differ), the tier ladder, review grace, renewal
prices and renewal segments of tiering's settings, and the wallet's bonus expiry, draw
policy and balance caps. Settings are read as shipped (their declared defaults), not from
this shell's environment, so two runs of the same command agree.

A proposed program is the default with some parts replaced (`program_files.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.rewards.rules.offers import Ladder, PercentOffer, Program, Rung, TierMultipliers
from services.rewards.settings import RewardsSettings
from services.tiering.rules.quotes import PriceList
from services.tiering.rules.segments import SegmentBounds
from services.tiering.rules.tiers import TierRules
from services.tiering.settings import TieringSettings
from services.wallet.rules.lots import DrawPolicy
from services.wallet.rules.recharges import StoredValueLimits
from services.wallet.settings import WalletSettings

CURRENCY = "CNY"

# Rewards' default offers, as its migration 0002 seeds them (offer ids and names included,
# because a bonus's rules are reported by offer id).
DEFAULT_LADDER = Ladder("ladder_cny", "Recharge ladder",
                        (Rung(10_000, 1_000), Rung(50_000, 8_000), Rung(100_000, 20_000)))
DEFAULT_FIRST_RECHARGE = PercentOffer("first_recharge", "First recharge +5%", 500)
DEFAULT_CUMULATIVE = PercentOffer("cumulative_cny", "Loyal member rebate +5%", 500, 300_000)


@dataclass(frozen=True)
class MemberSegmentRules:
    """What rewards' built-in campaign segments (new, dormant, high_value) measure."""

    dormant_after_days: int
    high_value_from: int
    time_zone: str  # the merchant's: a campaign's weekdays are local days


@dataclass(frozen=True)
class RenewalRules:
    prices: PriceList
    bounds: SegmentBounds  # renewal segments by rolling 12-month spend
    grace_days: int  # renewing this long after the end still continues the term
    expiring_within_days: int  # the earliest reminder: "expiring" from then


@dataclass(frozen=True)
class SimulatedProgram:
    name: str
    offers: Program  # ladder, first recharge, cumulative rebate, campaigns; tiers derived
    tier_rules: TierRules
    tier_review_grace_days: int
    renewal: RenewalRules
    bonus_expiry_months: int | None
    draw_policy: DrawPolicy
    limits: StoredValueLimits
    segments: MemberSegmentRules

    def with_tier_rules(self, rules: TierRules) -> SimulatedProgram:
        """New tier rules; rewards' multipliers follow them, as they follow tiering's
        `TierProgramPublished`."""
        return replace(self, tier_rules=rules,
                       offers=replace(self.offers, tiers=tier_multipliers(rules)))


def tier_multipliers(rules: TierRules) -> TierMultipliers:
    """What rewards would hold after tiering published `rules` (handlers of
    TierProgramPublished): each tier's points and bonus multiplier."""
    return TierMultipliers(
        rules.version,
        {tier.name: tier.benefits.points_multiplier_bps for tier in rules.tiers},
        {tier.name: tier.benefits.bonus_multiplier_bps for tier in rules.tiers})


def default_program() -> SimulatedProgram:
    tiering = TieringSettings.model_construct()
    wallet = WalletSettings.model_construct()
    rewards = RewardsSettings.model_construct()
    rules = tiering.default_rules()
    return SimulatedProgram(
        name="default",
        offers=Program(ladder=DEFAULT_LADDER, first_recharge=DEFAULT_FIRST_RECHARGE,
                       cumulative=DEFAULT_CUMULATIVE, tiers=tier_multipliers(rules)),
        tier_rules=rules,
        tier_review_grace_days=tiering.tier_review_grace_days,
        renewal=RenewalRules(tiering.price_list(), tiering.segment_bounds(),
                             tiering.membership_grace_days, max(tiering.reminder_offsets_days)),
        bonus_expiry_months=wallet.bonus_expiry_months,
        draw_policy=wallet.draw_policy,
        limits=wallet.limits(),
        segments=MemberSegmentRules(rewards.dormant_after_days, rewards.high_value_from,
                                    str(rewards.timezone)),
    )
