"""The fraud screen's projection of wallet's events: the recharges and refunds rewards has
seen (`recharges_seen`, `refunds_seen`), and the member's past as of a recharge read back
from them. Every count is an index-backed range query on (member | terminal | payment
reference, occurred_at)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.bonus_decisions import MemberPast, RechargeContext
from services.rewards.rules.fraud import FraudThresholds
from services.rewards.store import tables
from shared.events.wallet import PurchaseRefunded, RechargeCompleted, RechargeRefunded


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


# Everything the decision reads about the member's past, in one round trip: the segments'
# and the fraud screen's counts, each an index-backed range query. It runs after
# `record_recharges`, so the windowed counts include this recharge (as the rules expect);
# the all-time `prior_*` figures exclude it. `refunded_principal` is the principal the
# member's recharge refunds in this currency paid back so far: what unlocks a reward counts
# recharges net of it (rules/bonus_decisions.py).
# `seen` is recharges_seen without the batch's recharges after this one (`later`: recorded
# with it, in one statement): the decision sees what it would have seen deciding alone. NOT
# MATERIALIZED lets each use of it go through the table's indexes.
RECHARGE_CONTEXT = text("""
    WITH seen AS NOT MATERIALIZED (
      SELECT * FROM recharges_seen WHERE recharge_id <> ALL(CAST(:later AS text[])))
    SELECT p.prior_count, p.prior_total, p.last_at,
      (SELECT tier FROM member_tiers WHERE member_id = :m) AS tier,
      (SELECT count(*) FROM seen WHERE member_id = :m
         AND occurred_at > :member_since AND occurred_at <= :at) AS member_recent,
      (SELECT count(*) FROM seen WHERE terminal_id = :term AND store_id = :store
         AND occurred_at > :terminal_since AND occurred_at <= :at) AS terminal_recent,
      (SELECT count(DISTINCT member_id) FROM seen WHERE payment_reference = :ref
         AND occurred_at > :reference_since AND occurred_at <= :at) AS on_reference,
      (SELECT count(*) FROM refunds_seen WHERE member_id = :m AND kind = 'recharge'
         AND bonus_clawed_back > 0 AND occurred_at > :refund_since AND occurred_at <= :at)
         AS refunds,
      ARRAY(SELECT amount FROM seen WHERE member_id = :m
         AND occurred_at > :near_rung_since AND occurred_at <= :at) AS recent_amounts,
      (SELECT coalesce(sum(f.amount), 0) FROM refunds_seen f
         JOIN recharges_seen r ON r.recharge_id = f.source_id
         WHERE f.member_id = :m AND f.kind = 'recharge' AND r.currency = :currency
           AND f.occurred_at <= :at) AS refunded_principal,
      (SELECT max(occurred_at) FROM member_activity WHERE member_id = :m AND occurred_at < :at
         AND kind IN ('purchase', 'recharge', 'redemption')) AS last_active_at,
      ARRAY(SELECT segment_id FROM segment_members WHERE member_id = :m) AS segment_ids
    FROM (SELECT count(*) AS prior_count, coalesce(sum(amount), 0) AS prior_total,
                 max(occurred_at) AS last_at
          FROM seen
          WHERE member_id = :m AND currency = :currency AND recharge_id <> :recharge
            AND occurred_at <= :at) AS p
""")
RECORD_RECHARGES = text("""
    INSERT INTO recharges_seen (recharge_id, member_id, amount, currency, event_id, occurred_at,
        store_id, terminal_id, payment_reference, lifetime_recharged)
    SELECT * FROM unnest(CAST(:recharge_ids AS text[]), CAST(:member_ids AS text[]),
        CAST(:amounts AS bigint[]), CAST(:currencies AS text[]), CAST(:event_ids AS uuid[]),
        CAST(:occurred_ats AS timestamptz[]), CAST(:store_ids AS text[]),
        CAST(:terminal_ids AS text[]), CAST(:references AS text[]), CAST(:lifetimes AS bigint[]))
    ON CONFLICT (recharge_id) DO NOTHING
    RETURNING event_id
""")


async def record_recharges(db: AsyncConnection, events: Sequence[RechargeCompleted]) -> set[UUID]:
    """Record the recharges in one statement: the ids of the events whose recharge was new
    (of two events for one recharge in the batch, the first)."""
    inserted = await db.execute(RECORD_RECHARGES, {
        "recharge_ids": [e.recharge_id for e in events], "member_ids": [e.member_id for e in events],
        "amounts": [e.amount for e in events], "currencies": [e.currency for e in events],
        "event_ids": [e.event_id for e in events], "occurred_ats": [e.occurred_at for e in events],
        "store_ids": [e.store_id for e in events], "terminal_ids": [e.terminal_id for e in events],
        "references": [e.payment_reference for e in events],
        "lifetimes": [e.lifetime_recharged for e in events]})
    return set(inserted.scalars())


async def recharge_context(db: AsyncConnection, event: RechargeCompleted, t: FraudThresholds,
                           later: Sequence[str] = ()) -> RechargeContext:
    """The member's past as of `event`; `later`: recharges recorded ahead of it to leave out."""
    at = event.occurred_at
    row = (await db.execute(RECHARGE_CONTEXT, {
        "m": event.member_id, "currency": event.currency, "recharge": event.recharge_id,
        "at": at, "term": event.terminal_id, "store": event.store_id,
        "ref": event.payment_reference, "later": list(later),
        "member_since": at - timedelta(minutes=t.member_velocity_minutes),
        "terminal_since": at - timedelta(minutes=t.terminal_velocity_minutes),
        "reference_since": at - timedelta(hours=t.reference_window_hours),
        "refund_since": at - timedelta(days=t.refund_lookback_days),
        "near_rung_since": at - timedelta(days=t.near_rung_window_days),
    })).one()
    return RechargeContext(
        past=MemberPast(row.prior_count, int(row.prior_total), row.last_at,
                        int(row.refunded_principal), row.last_active_at), tier=row.tier,
        member_recent=row.member_recent,
        # a recharge without a terminal (app, online) has no terminal velocity to count
        terminal_recent=1 if event.terminal_id is None else row.terminal_recent,
        members_on_reference=row.on_reference, refunds_after_bonus=row.refunds,
        recent_amounts=tuple(row.recent_amounts), segment_ids=frozenset(row.segment_ids),
    )
