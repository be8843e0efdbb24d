"""Rewards' `PurchaseCompleted`: the coupons the purchase used are redeemed and the points
it earns credited. Written once, for a consumer batch; one purchase is a batch of one.

Reads once per batch: the offers' versions (each purchase still gets the program live at
its own moment), the members' tiers, which purchases already earned. The points of every
earning purchase are written in one `points.earn`, balances running on per member in event
order. Coupons named by a purchase (rare) are redeemed one statement per code. The events
go out in event order, a purchase's `CouponRedeemed` before its `PointsEarned`.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from services.rewards.rules.earning import Earning, purchase_earning
from services.rewards.rules.points import expiry_for
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons, member_tiers, points
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
    tiers = await member_tiers.tiers_of(db, sorted({event.member_id for event in events}))
    earned = await points.already_earned(db, "purchase", [event.purchase_id for event in events])
    zone = settings.zone()
    earnings: dict[UUID, Earning] = {}
    for event in events:
        earning = purchase_earning(
            event, offers.program(event.occurred_at, event.currency), tiers.get(event.member_id),
            minor_units_per_point=settings.minor_units_per_point,
            local_weekday=event.occurred_at.astimezone(zone).weekday())
        if earning.points > 0 and earning.source_id not in earned:
            earned.add(earning.source_id)
            earnings[event.event_id] = earning
    return earnings
