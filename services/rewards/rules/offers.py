"""The recharge bonus: which offers apply to a recharge and what each one adds.

Pure rules, values in and values out. Amounts are integer minor units; percentages and
multipliers are basis points (500 = 5 %, 20000 = x2) so that no float ever touches money,
and every fraction rounds down (a rule never gives away a unit it did not earn).

Order of computation, each step explained by one `RuleAmount`:
1. the ladder: the highest rung the amount reaches;
2. the first-recharge extra: a percentage of the amount, on a member's first recharge;
3. the cumulative rebate: a percentage of the amount once lifetime recharges *before* this
   one, net of recharge refunds, reached the threshold;
4. the tier's bonus multiplier as tiering published it (`TierMultipliers`), on the sum of
   1-3, recorded as the rule `tier_program_v<n>`;
5. each live campaign adds (multiplier - 1) x the result of 4, if it targets the member
   (below) and its remaining budget covers that addition (a campaign whose budget cannot
   pay the whole addition stops granting: it never pays part of one).

A campaign targets everyone, or the members in one of its `segments` (the built-in names,
decided at the recharge: new, dormant, high_value) or in one of its `segment_ids` (segments
as data, rules/segments.py, as they stood when the event was handled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.tier_benefits import DEFAULT_MULTIPLIERS

BASIS_POINTS = 10_000
SEGMENTS = ("new", "dormant", "high_value")


@dataclass(frozen=True)
class Rung:
    threshold: int
    bonus: int


@dataclass(frozen=True)
class Ladder:
    offer_id: str
    name: str
    rungs: tuple[Rung, ...]


@dataclass(frozen=True)
class PercentOffer:
    """A first-recharge extra (threshold 0) or a cumulative rebate."""

    offer_id: str
    name: str
    bps: int
    threshold: int = 0


@dataclass(frozen=True)
class TierMultipliers:
    """What each tier multiplies, as tiering published it (`TierProgramPublished`, version
    n); version 0 is the shared defaults (shared/tier_benefits.py), which tiering's default
    ladder shows too. Rewards has no multiplier of its own."""

    version: int
    points_bps_by_tier: Mapping[str, int]
    bonus_bps_by_tier: Mapping[str, int]

    @property
    def rule_id(self) -> str:
        return f"tier_program_v{self.version}"

    def bonus_rule_name(self, tier: str) -> str:
        bps = self.bonus_bps_by_tier.get(tier, BASIS_POINTS)
        return f"Tier bonus multiplier {tier} {bps} bps (tier program v{self.version})"


def default_tier_multipliers() -> TierMultipliers:
    return TierMultipliers(
        0, {tier: m.points_multiplier_bps for tier, m in DEFAULT_MULTIPLIERS.items()},
        {tier: m.bonus_multiplier_bps for tier, m in DEFAULT_MULTIPLIERS.items()})


@dataclass(frozen=True)
class Campaign:
    offer_id: str
    name: str
    starts_at: datetime
    ends_at: datetime | None
    bonus_bps: int = BASIS_POINTS
    points_bps: int = BASIS_POINTS
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    segments: frozenset[str] = frozenset()  # built-in names; both empty = everyone
    budget_remaining: int | None = None  # None = no cap
    segment_ids: frozenset[str] = frozenset()  # segments as data (store/segments.py)
    max_per_member: int | None = None  # times one member may benefit; None = no limit
    points_budget: int | None = None  # points it may add in all; None = no cap


@dataclass(frozen=True)
class Program:
    ladder: Ladder | None = None
    first_recharge: PercentOffer | None = None
    cumulative: PercentOffer | None = None
    tiers: TierMultipliers | None = None
    campaigns: tuple[Campaign, ...] = ()

    def without_campaign(self, offer_id: str) -> Program:
        """The same program without one campaign (its budget or the member's limit is spent)."""
        return replace(self, campaigns=tuple(c for c in self.campaigns if c.offer_id != offer_id))


@dataclass(frozen=True)
class RechargeFacts:
    amount: int
    is_first_recharge: bool
    lifetime_recharged: int  # this recharge included, net of refunded principal
    at: datetime
    local_weekday: int
    tier: str | None = None
    segments: frozenset[str] = frozenset()
    segment_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RuleAmount:
    offer_id: str
    name: str
    amount: int


@dataclass(frozen=True)
class BonusQuote:
    amount: int
    rules: tuple[RuleAmount, ...] = ()
    campaign_costs: tuple[RuleAmount, ...] = field(default=())


def ladder_rung(amount: int, ladder: Ladder) -> Rung | None:
    """The highest rung `amount` reaches, if any."""
    reached = [rung for rung in ladder.rungs if amount >= rung.threshold]
    return max(reached, key=lambda rung: rung.threshold, default=None)


def percent_of(amount: int, bps: int) -> int:
    return amount * bps // BASIS_POINTS


def campaign_is_live(campaign: Campaign, at: datetime, local_weekday: int,
                     segments: frozenset[str] = frozenset(),
                     segment_ids: frozenset[str] = frozenset()) -> bool:
    """In its window, on one of its weekdays (if it has any), for a member in one of its
    segments, built-in or data (if it targets any)."""
    if at < campaign.starts_at or (campaign.ends_at and at >= campaign.ends_at):
        return False
    if campaign.weekdays and local_weekday not in campaign.weekdays:
        return False
    if not campaign.segments and not campaign.segment_ids:
        return True
    return bool(campaign.segments & segments) or bool(campaign.segment_ids & segment_ids)


def campaign_addition(campaign: Campaign, base: int) -> int:
    return max(0, percent_of(base, campaign.bonus_bps - BASIS_POINTS))


def quote_bonus(facts: RechargeFacts, program: Program) -> BonusQuote:
    rules: list[RuleAmount] = []
    if program.ladder and (rung := ladder_rung(facts.amount, program.ladder)):
        rules.append(RuleAmount(program.ladder.offer_id, program.ladder.name, rung.bonus))
    if program.first_recharge and facts.is_first_recharge:
        offer = program.first_recharge
        rules.append(RuleAmount(offer.offer_id, offer.name, percent_of(facts.amount, offer.bps)))
    prior_lifetime = facts.lifetime_recharged - facts.amount
    if program.cumulative and prior_lifetime >= program.cumulative.threshold:
        offer = program.cumulative
        rules.append(RuleAmount(offer.offer_id, offer.name, percent_of(facts.amount, offer.bps)))
    base = sum(rule.amount for rule in rules)
    if program.tiers and facts.tier and base:
        bps = program.tiers.bonus_bps_by_tier.get(facts.tier, BASIS_POINTS)
        if extra := max(0, percent_of(base, bps - BASIS_POINTS)):
            rules.append(RuleAmount(program.tiers.rule_id, program.tiers.bonus_rule_name(facts.tier),
                                    extra))
            base += extra
    costs: list[RuleAmount] = []
    for campaign in sorted(program.campaigns, key=lambda c: c.offer_id):
        addition = campaign_addition(campaign, base)
        affordable = campaign.budget_remaining is None or addition <= campaign.budget_remaining
        live = campaign_is_live(campaign, facts.at, facts.local_weekday, facts.segments,
                                facts.segment_ids)
        if addition and affordable and live:
            costs.append(RuleAmount(campaign.offer_id, campaign.name, addition))
    rules = [rule for rule in rules if rule.amount > 0] + costs
    return BonusQuote(sum(rule.amount for rule in rules), tuple(rules), tuple(costs))


def member_segments(
    *, prior_recharges: int, last_active_at: datetime | None, prior_lifetime: int,
    at: datetime, dormant_after_days: int, high_value_from: int,
) -> frozenset[str]:
    """new: no recharge before; dormant: no activity of any kind (purchase, recharge,
    redemption) for `dormant_after_days` (until issue 16 only recharges counted, so a
    member who spent every day was dormant); high_value: lifetime recharges before this one
    reached `high_value_from`."""
    found: set[str] = set()
    if prior_recharges == 0:
        found.add("new")
    elif last_active_at is not None and (at - last_active_at).days >= dormant_after_days:
        found.add("dormant")
    if prior_lifetime >= high_value_from:
        found.add("high_value")
    return frozenset(found)
