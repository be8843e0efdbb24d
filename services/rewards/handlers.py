"""Rewards' event handlers, and the one map that wires events to them.

The consumer engine owns the transaction (inbox claim, a savepoint per event, outbox); each
handler only reads and writes rewards' tables and emits its events on the unit of work.
"""

from __future__ import annotations

from functools import partial

from services.rewards import coupon_store, decisions, earning, history, member_tiers
from services.rewards.points_spending import reverse_for_refund
from services.rewards.settings import RewardsSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralQualified
from shared.events.tiering import TierChanged
from shared.events.wallet import (
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
)
from shared.messaging.consumer import HandlerMap


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await decisions.decide_bonus(event, uow, settings)


async def on_purchase_completed(event: PurchaseCompleted, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await coupon_store.redeem_for_purchase(event, uow)
    await earning.earn_points(event, uow, settings)


async def on_referral_qualified(event: ReferralQualified, uow: UnitOfWork,
                                settings: RewardsSettings) -> None:
    await earning.earn_points(event, uow, settings)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork) -> None:
    await reverse_for_refund(event, uow)


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork) -> None:
    await history.record_recharge_refund(uow.connection, event)


async def on_tier_changed(event: TierChanged, uow: UnitOfWork) -> None:
    await member_tiers.record_tier_change(uow.connection, event)


def event_handlers(settings: RewardsSettings) -> HandlerMap:
    return {
        RechargeCompleted: [partial(on_recharge_completed, settings=settings)],
        PurchaseCompleted: [partial(on_purchase_completed, settings=settings)],
        ReferralQualified: [partial(on_referral_qualified, settings=settings)],
        PurchaseRefunded: [on_purchase_refunded],
        RechargeRefunded: [on_recharge_refunded],
        TierChanged: [on_tier_changed],
    }
