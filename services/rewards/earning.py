"""What earns points, as data: `EARNING_RULES` maps an event to the rule that says how many
points it earns and for whom. A new way to earn (a campaign task, a birthday) is one more
entry here, not another code path; the ledger, expiry and the PointsEarned event are shared.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards import member_tiers, points_ledger, program_store
from services.rewards.offers import BASIS_POINTS, Program, campaign_is_live
from services.rewards.points import expiry_for, points_for_amount, purchase_eligible_amount
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.envelope import Event
from shared.events.referral import ReferralQualified
from shared.events.rewards import PointsEarned
from shared.events.wallet import PurchaseCompleted


@dataclass(frozen=True)
class Earning:
    member_id: str
    points: int
    reason: str  # purchase | recharge | referral | campaign
    source_id: str
    source_total: int | None = None


async def purchase_points(event: PurchaseCompleted, db: AsyncConnection,
                          settings: RewardsSettings) -> Earning | None:
    """Per currency unit paid (bonus money excluded) x tier multiplier x live points
    campaigns (e.g. a double points week)."""
    offers = await program_store.live_offers(db, event.occurred_at, event.currency)
    tier = await member_tiers.tier_of(db, event.member_id)
    return points_for_purchase(event, program_store.program_from(offers), tier, settings)


def points_for_purchase(event: PurchaseCompleted, program: Program, tier: str | None,
                        settings: RewardsSettings) -> Earning:
    multipliers = []
    if program.tiers and tier:
        multipliers.append(program.tiers.bps_by_tier.get(tier, BASIS_POINTS))
    weekday = event.occurred_at.astimezone(settings.zone()).weekday()
    multipliers += [c.points_bps for c in program.campaigns
                    if c.points_bps != BASIS_POINTS and campaign_is_live(c, event.occurred_at, weekday)]
    eligible = purchase_eligible_amount(event.total, event.paid_bonus)
    points = points_for_amount(eligible, settings.minor_units_per_point, multipliers)
    return Earning(event.member_id, points, "purchase", event.purchase_id, event.total)


async def referral_points(event: ReferralQualified, db: AsyncConnection,
                          settings: RewardsSettings) -> Earning | None:
    return Earning(event.referrer_id, settings.referral_points, "referral", event.referral_id)


EarningRule = Callable[[Event, AsyncConnection, RewardsSettings], Awaitable[Earning | None]]
EARNING_RULES: dict[type[Event], EarningRule] = {
    PurchaseCompleted: purchase_points,  # type: ignore[dict-item]
    ReferralQualified: referral_points,  # type: ignore[dict-item]
}


async def earn_points(event: Event, uow: UnitOfWork, settings: RewardsSettings) -> None:
    earning = await EARNING_RULES[type(event)](event, uow.connection, settings)
    if earning is None or earning.points <= 0:
        return
    if await points_ledger.already_earned(uow.connection, earning.reason, earning.source_id):
        return  # a second event about the same purchase or referral earns nothing more
    await credit_earning(uow, earning, event.event_id, settings, event.caused())


async def credit_earning(uow: UnitOfWork, earning: Earning, source_event_id, settings:
                         RewardsSettings, envelope: dict | None = None) -> PointsEarned:
    now = uow.clock.now()
    expires_at = expiry_for(now, settings.points_expiry_years)
    entry = await points_ledger.earn(
        uow.connection, earning.member_id, earning.points, reason=earning.reason, at=now,
        expires_at=expires_at, source_id=earning.source_id, source_total=earning.source_total)
    event = points_earned(earning, entry, source_event_id, now, expires_at, envelope)
    uow.emit(event)
    return event


def points_earned(earning: Earning, entry: points_ledger.Entry, source_event_id,
                  now: datetime, expires_at: datetime | None, envelope: dict | None
                  ) -> PointsEarned:
    return PointsEarned(
        **{**(envelope or {}), "member_id": earning.member_id}, occurred_at=now,
        entry_id=str(entry.entry_id), source_event_id=source_event_id, points=earning.points,
        reason=earning.reason, expires_at=expires_at, balance=entry.balance)
