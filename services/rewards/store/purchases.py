"""Rewards' `PurchaseCompleted`: the coupons the purchase used are redeemed and the points
it earns credited. Written once, for a consumer batch; one purchase is a batch of one.

Reads once per batch: the offers' versions (each purchase still gets the program live at
its own moment), the members' tiers, which purchases already earned. The points of every
earning purchase are written in one `points.earn`, balances running on per member in event
order. A points campaign with a points budget or a per-member limit is charged purchase by
purchase (conditional UPDATEs); one that cannot pay drops out and the points are counted
again without it, so neither is ever exceeded. Coupons named by a purchase (rare) are
redeemed one statement per code. The events go out in event order, a purchase's
`CouponRedeemed` before its `PointsEarned`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.earning import Earning, purchase_earning
from services.rewards.rules.offers import Campaign, Program
from services.rewards.rules.points import expiry_for
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons, member_tiers, points, segments
from services.rewards.store import offers as offers_store
from services.rewards.store.members import lock_members
from services.rewards.store.offers import OfferTimeline
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted


async def apply_purchases(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                          settings: RewardsSettings) -> None:
    db = uow.connection
    await lock_members(db, [event.member_id for event in events])
    earnings = await _new_earnings(events, uow, settings)
    now = uow.clock.now()
    expires_at = expiry_for(now, settings.points_expiry_years)
    entries = await points.earn(db, list(earnings.values()), at=now, expires_at=expires_at)
    entry_of = dict(zip(earnings, entries, strict=True))
    for event in events:
        await coupons.redeem_for_purchase(event, uow)
        if event.event_id in earnings:
            uow.emit(points.points_earned(earnings[event.event_id], entry_of[event.event_id],
                                          event.event_id, now, expires_at, event.caused()))


async def _new_earnings(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                        settings: RewardsSettings) -> dict[UUID, Earning]:
    """The earning of each event that earns points, by event id, in event order: positive
    points, and the first event about a purchase that never earned before."""
    db = uow.connection
    offers = await OfferTimeline.read(db, max(event.occurred_at for event in events))
    members = sorted({event.member_id for event in events})
    tiers = await member_tiers.tiers_of(db, members)
    member_segments = await segments.segments_of(db, members)
    earned = await points.already_earned(db, "purchase", [event.purchase_id for event in events])
    zone = settings.zone()
    earnings: dict[UUID, Earning] = {}
    for event in events:
        if event.purchase_id in earned:
            continue
        program = offers.program(event.occurred_at, event.currency)
        while True:
            earning = purchase_earning(
                event, program, tiers.get(event.member_id),
                minor_units_per_point=settings.minor_units_per_point,
                local_weekday=event.occurred_at.astimezone(zone).weekday(),
                segment_ids=member_segments.get(event.member_id, frozenset()))
            short = await charge_points_campaigns(db, earning, program)
            if short is None:
                break
            program = program.without_campaign(short)
        if earning.points > 0:
            earned.add(earning.source_id)
            earnings[event.event_id] = earning
    return earnings


async def charge_points_campaigns(db: AsyncConnection, earning: Earning, program: Program
                                  ) -> str | None:
    """Charge each points campaign's share to its points budget and the member's uses, if it
    has them; the first campaign that cannot pay (budget spent, member's uses used up), with
    what the others were charged given back, or None when all were charged."""
    campaigns = {c.offer_id: c for c in program.campaigns}
    charged: list[tuple[str, int]] = []
    for offer_id, share in earning.campaign_points:
        campaign = campaigns[offer_id]
        limit, budget = campaign.max_per_member, campaign.points_budget
        if limit is not None and not await offers_store.use_for_member(
                db, offer_id, earning.member_id, limit):
            return await _give_back(db, earning.member_id, charged, campaigns, offer_id)
        if budget is not None and not await offers_store.charge_points_budget(db, offer_id, share):
            if limit is not None:
                await offers_store.release_use(db, offer_id, earning.member_id)
            return await _give_back(db, earning.member_id, charged, campaigns, offer_id)
        charged.append((offer_id, share))
    return None


async def _give_back(db: AsyncConnection, member_id: str, charged: Sequence[tuple[str, int]],
                     campaigns: dict[str, Campaign], short: str) -> str:
    for offer_id, share in charged:
        if campaigns[offer_id].points_budget is not None:
            await db.execute(offers_store.RELEASE_POINTS_BUDGET, {"offer_id": offer_id, "cost": share})
        if campaigns[offer_id].max_per_member is not None:
            await offers_store.release_use(db, offer_id, member_id)
    return short
