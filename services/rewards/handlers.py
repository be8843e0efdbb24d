"""Rewards' event handlers, and the one map that wires events to them.

The consumer engine owns the transaction (inbox claim, a savepoint per event, outbox); each
handler takes the member's lock, reads and writes rewards' tables and emits its events on
the unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards import (
    coupon_issuance,
    history,
    member_tiers,
    purchase_batches,
    recharge_batches,
    reviews,
)
from services.rewards.member_lock import lock_member
from services.rewards.points_spending import reverse_for_refund
from services.rewards.settings import RewardsSettings
from services.rewards.store import referral_rewards
from shared.db.unit_of_work import UnitOfWork
from shared.events.envelope import Event
from shared.events.referral import ReferralQualified, ReferralRevoked
from shared.events.tiering import MemberEnrolled, MembershipExpiring, TierChanged
from shared.events.wallet import (
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
)
from shared.messaging.batches import batch
from shared.service import ServiceHandlers


async def locked(event: Event, uow: UnitOfWork) -> AsyncConnection:
    await lock_member(uow.connection, event.member_id)
    return uow.connection


async def on_recharges_completed(events: Sequence[RechargeCompleted], uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    # a consumer batch's bonus decisions at once, each as if alone (recharge_batches.py)
    await recharge_batches.decide_bonuses(events, uow, settings)


async def on_purchases_completed(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    # a consumer batch's purchases at once: lock, coupons, points (purchase_batches.py)
    await purchase_batches.apply_purchases(events, uow, settings)


async def on_referral_qualified(event: ReferralQualified, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    # both sides, exactly once per referral (store/referral_rewards.py)
    await referral_rewards.grant(event, uow, settings)


async def on_referral_revoked(event: ReferralRevoked, uow: UnitOfWork,
                              settings: RewardsSettings) -> None:
    await referral_rewards.revoke(event, uow)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await locked(event, uow)
    await reverse_for_refund(event, uow)


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await history.record_recharge_refund(await locked(event, uow), event)
    await reviews.withdraw_held_bonus(uow, event)


async def on_tier_changed(event: TierChanged, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await member_tiers.record_tier_change(await locked(event, uow), event)


async def on_membership_expiring(event: MembershipExpiring, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await locked(event, uow)
    await coupon_issuance.on_membership_expiring(event, uow, settings)


async def on_member_enrolled(event: MemberEnrolled, uow: UnitOfWork,
                                 settings: RewardsSettings) -> None:
    await coupon_issuance.remember_birthday(await locked(event, uow), event)


HANDLERS: ServiceHandlers = {
    RechargeCompleted: [batch(on_recharges_completed)],
    PurchaseCompleted: [batch(on_purchases_completed)],
    ReferralQualified: [on_referral_qualified],
    ReferralRevoked: [on_referral_revoked],
    PurchaseRefunded: [on_purchase_refunded],
    RechargeRefunded: [on_recharge_refunded],
    TierChanged: [on_tier_changed],
    MembershipExpiring: [on_membership_expiring],
    MemberEnrolled: [on_member_enrolled],
}
