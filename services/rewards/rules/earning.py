"""What earns points, and how many: one pure function per way to earn, each returning an
`Earning` (who, how many, why, from what). The ledger writes any `Earning` the same way
(`store/points.py`: the lot, its expiry, PointsEarned), so a new way to earn is one more
function here, not another code path.

- a purchase: 1 point per `minor_units_per_point` of what was paid with money (bonus money
  earns nothing) x the member's tier points multiplier (as tiering published it) x each
  live points campaign that targets the member (its `segment_ids`), rounded down once;
  each campaign's share is what it adds on top of the ones before it (in offer id order),
  so its points budget and per-member limit can be charged for exactly that;
- a qualified referral: points to the referrer worth the share of the qualifying amount its
  referral program gives (`referrer_points_bps`), or, for an event of the first v1 that
  carries no share, a fixed number;
- a campaign task (an ops award): the points ops give.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.rewards.rules.offers import BASIS_POINTS, Program, campaign_is_live
from services.rewards.rules.points import points_for_amount, purchase_eligible_amount
from services.rewards.rules.referral_rewards import referrer_points
from shared.events.referral import ReferralQualified
from shared.events.wallet import PurchaseCompleted


@dataclass(frozen=True)
class Earning:
    member_id: str
    points: int
    reason: str  # purchase | referral | campaign
    source_id: str  # what earned them: a purchase, a referral, "task:<task>"
    source_total: int | None = None  # a purchase's total, for a proportional reversal
    campaign_points: tuple[tuple[str, int], ...] = ()  # (offer_id, points it added)


def purchase_earning(event: PurchaseCompleted, program: Program, tier: str | None, *,
                     minor_units_per_point: int, local_weekday: int,
                     segment_ids: frozenset[str] = frozenset()) -> Earning:
    """`program`: the offers live at the purchase; `local_weekday`: its weekday in the
    merchant's time zone (weekly member days); `segment_ids`: the member's segments."""
    multipliers = []
    if program.tiers and tier:
        multipliers.append(program.tiers.points_bps_by_tier.get(tier, BASIS_POINTS))
    eligible = purchase_eligible_amount(event.total, event.paid_bonus)
    points = points_for_amount(eligible, minor_units_per_point, multipliers)
    shares: list[tuple[str, int]] = []
    for campaign in sorted(program.campaigns, key=lambda c: c.offer_id):
        if campaign.points_bps == BASIS_POINTS or not campaign_is_live(
                campaign, event.occurred_at, local_weekday, segment_ids=segment_ids):
            continue
        multipliers.append(campaign.points_bps)
        with_it = points_for_amount(eligible, minor_units_per_point, multipliers)
        if with_it > points:
            shares.append((campaign.offer_id, with_it - points))
        points = with_it
    return Earning(event.member_id, points, "purchase", event.purchase_id, event.total,
                   tuple(shares))


def referral_earning(event: ReferralQualified, referral_points: int, *,
                     minor_units_per_point: int) -> Earning:
    if event.referrer_points_bps is None:
        return Earning(event.referrer_id, referral_points, "referral", event.referral_id)
    earned = referrer_points(event.qualifying_amount, event.referrer_points_bps,
                             minor_units_per_point)
    return Earning(event.referrer_id, earned, "referral", event.referral_id,
                   event.qualifying_amount)


def task_earning(member_id: str, points: int, task: str) -> Earning:
    return Earning(member_id, points, "campaign", f"task:{task}")
