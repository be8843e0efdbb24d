"""Tier rules as plain values: the ladder, who qualifies for what, upgrades, the anniversary
review with its grace period, and the progress a member sees ("1,240 more to gold").

No framework imports. Amounts are integer minor units of the program's currency.

- A rule set names a qualifying measure: `spend_12m` (purchases in the rolling 12 months,
  net of refunds), `lifetime_recharge` (everything ever recharged, net of refunds) or
  `both` (either measure may qualify: the member gets the higher of the two tiers).
- Upgrades are immediate: as soon as a measure crosses a higher threshold.
- Downgrades happen only at the anniversary review, and only after `grace_days`: a member
  who has not retained the tier by review + grace moves down to the tier they qualify for.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from shared.dates import add_years
from shared.events.tiering import TIER_PROGRAM_KEY, TierBenefitsEntry, TierProgramPublished
from shared.rule_violations import RuleViolation
from shared.tier_benefits import DEFAULT_MULTIPLIERS, Multipliers

Measure = Literal["spend_12m", "lifetime_recharge", "both"]
MEASURE_NAMES = {"spend_12m": "rolling 12-month spend", "lifetime_recharge": "lifetime recharge"}


class TierRuleViolation(RuleViolation):
    """A ladder that makes no sense (422, with the code saying why)."""


@dataclass(frozen=True)
class Benefits:
    discount_bps: int = 0  # 500 = 5 % off
    points_multiplier_bps: int = 10_000  # 15000 = x1.5; rewards pays it on purchases
    bonus_multiplier_bps: int = 10_000  # rewards pays it on the recharge bonus
    free_services: tuple[str, ...] = ()
    priority_support: bool = False

    @classmethod
    def default_for(cls, tier: str, discount_bps: int = 0, free_services: tuple[str, ...] = (),
                    priority_support: bool = False) -> Benefits:
        """A default tier's benefits, its multipliers from the one shared place."""
        paid = DEFAULT_MULTIPLIERS.get(tier, Multipliers())
        return cls(discount_bps, paid.points_multiplier_bps, paid.bonus_multiplier_bps,
                   free_services, priority_support)


@dataclass(frozen=True)
class Tier:
    name: str
    spend_threshold: int = 0
    recharge_threshold: int = 0
    benefits: Benefits = field(default_factory=Benefits)


@dataclass(frozen=True)
class TierRules:
    measure: Measure
    tiers: tuple[Tier, ...]  # lowest first
    version: int = 0

    def __post_init__(self) -> None:
        check_ladder(self.tiers, self.measure)

    @property
    def lowest(self) -> Tier:
        return self.tiers[0]

    def rank(self, tier_name: str) -> int:
        """Position in the ladder; a tier no longer configured ranks as the lowest."""
        names = [tier.name for tier in self.tiers]
        return names.index(tier_name) if tier_name in names else 0

    def tier(self, name: str) -> Tier:
        return self.tiers[self.rank(name)]


@dataclass(frozen=True)
class Standing:
    """What a member has counted so far, both measures."""

    spend_12m: int
    lifetime_recharge: int

    def of(self, measure: str) -> int:
        return self.spend_12m if measure == "spend_12m" else self.lifetime_recharge


@dataclass(frozen=True)
class TierDecision:
    from_tier: str
    to_tier: str
    direction: Literal["up", "down"]
    reason: str
    qualifying_amount: int


def check_ladder(tiers: tuple[Tier, ...], measure: Measure) -> None:
    if not tiers:
        raise TierRuleViolation("empty_ladder", "A ladder needs at least one tier.")
    if len({tier.name for tier in tiers}) != len(tiers):
        raise TierRuleViolation("duplicate_tier", "Tier names must be unique.")
    if measure not in ("spend_12m", "lifetime_recharge", "both"):
        raise TierRuleViolation("unknown_measure", f"No qualifying measure {measure!r}.")
    used = ("spend_12m", "lifetime_recharge") if measure == "both" else (measure,)
    if any(threshold(tiers[0], m) for m in used):
        raise TierRuleViolation("lowest_tier_has_threshold", "The lowest tier must start at 0.")
    for lower, higher in itertools.pairwise(tiers):
        if any(threshold(higher, m) <= threshold(lower, m) for m in used):
            raise TierRuleViolation(
                "thresholds_not_increasing",
                f"{higher.name} must need more than {lower.name} on every measure counted.")


def measures_of(rules: TierRules) -> tuple[str, ...]:
    return ("spend_12m", "lifetime_recharge") if rules.measure == "both" else (rules.measure,)


def threshold(tier: Tier, measure: str) -> int:
    return tier.spend_threshold if measure == "spend_12m" else tier.recharge_threshold


def qualified_tier(rules: TierRules, standing: Standing) -> tuple[Tier, str]:
    """The highest tier any counted measure reaches, and the measure that reached it."""
    best, by = rules.lowest, measures_of(rules)[0]
    for measure in measures_of(rules):
        for tier in rules.tiers:
            reached = standing.of(measure) >= threshold(tier, measure)
            if reached and rules.rank(tier.name) > rules.rank(best.name):
                best, by = tier, measure
    return best, by


def upgrade(rules: TierRules, current: str, standing: Standing) -> TierDecision | None:
    """An immediate upgrade if the member now qualifies for a higher tier; never a downgrade."""
    target, measure = qualified_tier(rules, standing)
    if rules.rank(target.name) <= rules.rank(current) or target.name == current:
        return None
    amount = standing.of(measure)
    return TierDecision(current, target.name, "up",
                        f"{MEASURE_NAMES[measure]} {amount} reached {threshold(target, measure)} "
                        f"for {target.name}", amount)


def review(rules: TierRules, current: str, standing: Standing) -> TierDecision | None:
    """The anniversary review (run at review date + grace): down to the qualified tier if the
    member did not retain the current one; up if they somehow qualify higher."""
    target, measure = qualified_tier(rules, standing)
    if target.name == current:
        return None
    if rules.rank(target.name) > rules.rank(current):
        return upgrade(rules, current, standing)
    kept = threshold(rules.tier(current), measure)
    amount = standing.of(measure)
    return TierDecision(current, target.name, "down",
                        f"anniversary review: {MEASURE_NAMES[measure]} {amount} "
                        f"below {kept} needed to retain {current}", amount)


def review_due_at(review_at: datetime, grace_days: int) -> datetime:
    return review_at + timedelta(days=grace_days)


def next_anniversary(review_at: datetime) -> datetime:
    return add_years(review_at, 1)


def next_review_at(review_at: datetime, grace_days: int, now: datetime) -> datetime:
    """The review date after `review_at` whose review (date + grace) is still ahead of
    `now`: a review run late skips the anniversaries already past, it does not queue them."""
    following = next_anniversary(review_at)
    while review_due_at(following, grace_days) <= now:
        following = next_anniversary(following)
    return following


@dataclass(frozen=True)
class Progress:
    tier: str
    next_tier: str | None
    measure: str | None
    remaining: int  # 0 at the top
    message: str


def in_major_units(amount: int, exponent: int = 2) -> str:
    """124000 -> "1,240"; 123950 -> "1,239.50" (for people, never for arithmetic)."""
    whole, fraction = divmod(amount, 10**exponent)
    return f"{whole:,}" + (f".{fraction:0{exponent}d}" if fraction else "")


def progress(rules: TierRules, current: str, standing: Standing, exponent: int = 2) -> Progress:
    """How far the member is from the next tier on the measure that gets them there first."""
    rank = rules.rank(current)
    if rank + 1 >= len(rules.tiers):
        return Progress(current, None, None, 0, f"{current} is the highest tier")
    higher = rules.tiers[rank + 1]
    remaining, measure = min(
        (max(0, threshold(higher, m) - standing.of(m)), m) for m in measures_of(rules))
    return Progress(current, higher.name, measure, remaining,
                    f"{in_major_units(remaining, exponent)} more to {higher.name}")


def published_program(rules: TierRules, at: datetime) -> TierProgramPublished:
    """The event that tells rewards (and anyone) what a new rules version gives per tier."""
    return TierProgramPublished(
        occurred_at=at, member_id=TIER_PROGRAM_KEY, program_version=rules.version,
        measure=rules.measure, effective_from=at,
        tiers=tuple(TierBenefitsEntry(name=tier.name, **asdict(tier.benefits)) for tier in rules.tiers))
