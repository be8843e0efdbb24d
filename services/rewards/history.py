"""Rewards' own memory of what the wallet did, fed by its events: the history the fraud
screen and the segments read. Every count is an index-backed range query on
(member | terminal | payment reference, occurred_at)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards import tables
from services.rewards.fraud import FraudThresholds, RechargeHistory
from shared.events.wallet import PurchaseRefunded, RechargeCompleted, RechargeRefunded


@dataclass(frozen=True)
class MemberPast:
    prior_count: int
    prior_total: int
    last_recharge_at: datetime | None


async def record_recharge(db: AsyncConnection, event: RechargeCompleted) -> bool:
    """False when this recharge was already recorded (a second event for it)."""
    statement = insert(tables.recharges_seen).values(
        recharge_id=event.recharge_id, member_id=event.member_id, amount=event.amount,
        currency=event.currency, event_id=event.event_id, occurred_at=event.occurred_at,
        store_id=event.store_id, terminal_id=event.terminal_id,
        payment_reference=event.payment_reference, lifetime_recharged=event.lifetime_recharged,
    ).on_conflict_do_nothing(index_elements=["recharge_id"])
    return (await db.execute(statement)).rowcount == 1


async def record_recharge_refund(db: AsyncConnection, event: RechargeRefunded) -> None:
    await db.execute(insert(tables.refunds_seen).values(
        refund_id=event.refund_id, member_id=event.member_id, kind="recharge",
        source_id=event.recharge_id, amount=event.principal_refunded,
        bonus_clawed_back=event.bonus_clawed_back, occurred_at=event.occurred_at,
    ).on_conflict_do_nothing(index_elements=["refund_id"]))


async def record_purchase_refund(db: AsyncConnection, event: PurchaseRefunded) -> bool:
    statement = insert(tables.refunds_seen).values(
        refund_id=event.refund_id, member_id=event.member_id, kind="purchase",
        source_id=event.purchase_id, amount=event.amount, occurred_at=event.occurred_at,
    ).on_conflict_do_nothing(index_elements=["refund_id"])
    return (await db.execute(statement)).rowcount == 1


async def member_past(db: AsyncConnection, event: RechargeCompleted) -> MemberPast:
    row = (await db.execute(text("""
        SELECT count(*) AS n, coalesce(sum(amount), 0) AS total, max(occurred_at) AS last_at
        FROM recharges_seen
        WHERE member_id = :member AND currency = :currency AND recharge_id <> :recharge
          AND occurred_at <= :at
    """), {"member": event.member_id, "currency": event.currency,
           "recharge": event.recharge_id, "at": event.occurred_at})).one()
    return MemberPast(row.n, int(row.total), row.last_at)


async def screening_history(
    db: AsyncConnection, event: RechargeCompleted, past: MemberPast, t: FraudThresholds,
    rung_thresholds: tuple[int, ...],
) -> RechargeHistory:
    at = event.occurred_at

    async def scalar(sql: str, **params: object) -> int:
        return int((await db.execute(text(sql), {"at": at, **params})).scalar_one())

    member_recent = await scalar(
        "SELECT count(*) FROM recharges_seen WHERE member_id = :m AND occurred_at > :since "
        "AND occurred_at <= :at", m=event.member_id,
        since=at - timedelta(minutes=t.member_velocity_minutes))
    terminal_recent = 1 if event.terminal_id is None else await scalar(
        "SELECT count(*) FROM recharges_seen WHERE terminal_id = :term AND store_id = :store "
        "AND occurred_at > :since AND occurred_at <= :at", term=event.terminal_id,
        store=event.store_id,
        since=at - timedelta(minutes=t.terminal_velocity_minutes))
    on_reference = await scalar(
        "SELECT count(DISTINCT member_id) FROM recharges_seen WHERE payment_reference = :ref "
        "AND occurred_at > :since AND occurred_at <= :at", ref=event.payment_reference,
        since=at - timedelta(hours=t.reference_window_hours))
    refunds = await scalar(
        "SELECT count(*) FROM refunds_seen WHERE member_id = :m AND kind = 'recharge' "
        "AND bonus_clawed_back > 0 AND occurred_at > :since AND occurred_at <= :at",
        m=event.member_id, since=at - timedelta(days=t.refund_lookback_days))
    amounts = (await db.execute(text(
        "SELECT amount FROM recharges_seen WHERE member_id = :m AND occurred_at > :since "
        "AND occurred_at <= :at"), {"m": event.member_id, "at": at,
                                    "since": at - timedelta(days=t.near_rung_window_days)})).scalars()
    return RechargeHistory(
        amount=event.amount, is_first_recharge=event.is_first_recharge,
        member_recent=member_recent, terminal_recent=terminal_recent,
        prior_count=past.prior_count, prior_total=past.prior_total,
        members_on_reference=on_reference, refunds_after_bonus=refunds,
        recent_amounts=tuple(amounts), rung_thresholds=rung_thresholds,
    )
