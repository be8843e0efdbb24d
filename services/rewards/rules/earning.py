"""What earns points, and how many: one pure function per way to earn, each returning an
`Earning` (who, how many, why, from what). The ledger writes any `Earning` the same way
(`store/points.py`: the lot, its expiry, PointsEarned), so a new way to earn is one more
function here, not another code path.

- a purchase: 1 point per `minor_units_per_point` of what was paid with money (bonus money
  earns nothing) x the member's tier points multiplier (as tiering published it) x each
  live points campaign, rounded down
  once;
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


def purchase_earning(event: PurchaseCompleted, program: Program, tier: str | None, *,
                     minor_units_per_point: int, local_weekday: int) -> Earning:
    """`program`: the offers live at the purchase; `local_weekday`: its weekday in the
    merchant's time zone (weekly member days)."""
    multipliers = []
    if program.tiers and tier:
        multipliers.append(program.tiers.points_bps_by_tier.get(tier, BASIS_POINTS))
    multipliers += [c.points_bps for c in program.campaigns
                    if c.points_bps != BASIS_POINTS
                    and campaign_is_live(c, event.occurred_at, local_weekday)]
    eligible = purchase_eligible_amount(event.total, event.paid_bonus)
    points = points_for_amount(eligible, minor_units_per_point, multipliers)
    return Earning(event.member_id, points, "purchase", event.purchase_id, event.total)


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
