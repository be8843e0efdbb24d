"""Rewards' `PurchaseCompleted`, a consumer batch at a time: the same effects and events as
the per-event handler (member lock, coupon redemption, purchase points), in a handful of
statements instead of six or so per purchase.

Reads once per batch: the offers' versions (each purchase still gets the program live at
its own moment), the members' tiers, which purchases already earned. The points of every
earning purchase are written with `points_ledger.earn_many`, balances running on per member
in event order. Coupons named by a purchase (rare) are redeemed as before, one statement
per code. The events go out in event order: a purchase's `CouponRedeemed` before its
`PointsEarned`, as the per-event handler emits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from services.rewards import coupon_store, member_tiers, points_ledger
from services.rewards.earning import Earning, points_earned, points_for_purchase
from services.rewards.member_lock import lock_members
from services.rewards.points import expiry_for
from services.rewards.program_store import OfferTimeline
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted


async def apply_purchases(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                          settings: RewardsSettings) -> None:
    db = uow.connection
    await lock_members(db, [event.member_id for event in events])
    earnings = await _new_earnings(events, uow, settings)
    now = uow.clock.now()
    expires_at = expiry_for(now, settings.points_expiry_years)
    entries = await points_ledger.earn_many(db, [
        points_ledger.Earned(e.member_id, e.points, e.reason, e.source_id, e.source_total)
        for e in earnings.values()], at=now, expires_at=expires_at)
    entry_of = dict(zip(earnings, entries, strict=True))
    for event in events:
        await coupon_store.redeem_for_purchase(event, uow)
        if event.event_id in earnings:
            uow.emit(points_earned(earnings[event.event_id], entry_of[event.event_id],
                                   event.event_id, now, expires_at, event.caused()))


async def _new_earnings(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                        settings: RewardsSettings) -> dict[UUID, Earning]:
    """The earning of each event that earns points, by event id, in event order: positive
    points, and the first event about a purchase that never earned before."""
    db = uow.connection
    offers = await OfferTimeline.read(db, max(event.occurred_at for event in events))
    tiers = await member_tiers.tiers_of(db, sorted({event.member_id for event in events}))
    earned = await points_ledger.purchases_earned(db, [event.purchase_id for event in events])
    earnings: dict[UUID, Earning] = {}
    for event in events:
        program = offers.program(event.occurred_at, event.currency)
        earning = points_for_purchase(event, program, tiers.get(event.member_id),
                                               settings)
        if earning.points > 0 and earning.source_id not in earned:
            earned.add(earning.source_id)
            earnings[event.event_id] = earning
    return earnings
