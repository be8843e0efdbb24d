"""The points ledger in the database: every change is an entry with the balance after it;
an earning is a lot (`remaining`, `expires_at`) that spending, expiry and reversal take
from. The member's `points_accounts` row is locked first, which serialises their points.

Earning is written once, for many earnings (`earn`; one earning is a list of one). Points
leave the balance by `spend` (FIFO unless the caller orders the lots): a coupon bought with
points (store/coupons.py), an expired lot, or a reversal when the purchase that earned them
is refunded — from that purchase's own lot first, never below a zero balance (points
already spent stay spent, the shortfall is logged), published as `PointsReversed`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.earning import Earning
from services.rewards.rules.points import (
    Lot,
    expired,
    expiry_for,
    fifo_order,
    reversal_due,
    take_from_lots,
)
from services.rewards.store import fraud_history
from services.rewards.store.members import lock_member
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import PointsEarned, PointsExpired, PointsReversed
from shared.events.wallet import PurchaseRefunded
from shared.structured_logging import get_logger

log = get_logger(__name__)
LOCK_ACCOUNTS = text("""
    INSERT INTO points_accounts (member_id) SELECT unnest(CAST(:members AS text[]))
    ON CONFLICT (member_id) DO UPDATE SET balance = points_accounts.balance
    RETURNING member_id, balance
""")
SET_BALANCES = text("""
    UPDATE points_accounts a SET balance = b.balance
    FROM unnest(CAST(:members AS text[]), CAST(:balances AS bigint[])) AS b(member_id, balance)
    WHERE a.member_id = b.member_id
""")
ADD_EARN_ENTRIES = text("""
    INSERT INTO points_entries (entry_id, member_id, kind, points, balance_after, reason,
        source_id, source_total, remaining, expires_at, occurred_at)
    SELECT entry_id, member_id, 'earn', points, balance_after, reason, source_id,
        source_total, points, CAST(:expires_at AS timestamptz), CAST(:at AS timestamptz)
    FROM unnest(CAST(:entry_ids AS uuid[]), CAST(:members AS text[]), CAST(:points AS bigint[]),
                CAST(:balances AS bigint[]), CAST(:reasons AS text[]), CAST(:sources AS text[]),
                CAST(:totals AS bigint[]))
        AS e(entry_id, member_id, points, balance_after, reason, source_id, source_total)
""")
ADD_SPEND_ENTRY = text("""
    INSERT INTO points_entries (entry_id, member_id, kind, points, balance_after, reason,
        source_id, occurred_at)
    VALUES (:entry_id, :member, :kind, :points, :balance_after, :reason, :source_id, :at)
""")
OPEN_LOTS = text("""
    SELECT entry_id, remaining, expires_at, source_id FROM points_entries
    WHERE member_id = :member AND kind = 'earn' AND remaining > 0 ORDER BY occurred_at
""")
TAKE = text("UPDATE points_entries SET remaining = remaining - :take WHERE entry_id = :entry_id")


@dataclass(frozen=True)
class Entry:
    entry_id: UUID
    points: int
    balance: int


async def lock_accounts(db: AsyncConnection, member_ids: Sequence[str]) -> dict[str, int]:
    """Lock the members' accounts (created at 0 if new), in member id order: their balances."""
    locked = await db.execute(LOCK_ACCOUNTS, {"members": sorted(set(member_ids))})
    return {row.member_id: int(row.balance) for row in locked}


async def earn(db: AsyncConnection, earned: Sequence[Earning], *, at: datetime,
               expires_at: datetime | None) -> list[Entry]:
    """One lot per earning, in three statements; the entries in the order given, each
    member's balance running on from one to the next."""
    if not earned:
        return []
    balances = await lock_accounts(db, [e.member_id for e in earned])
    entries = []
    for earning in earned:
        balances[earning.member_id] += earning.points
        entries.append(Entry(uuid.uuid4(), earning.points, balances[earning.member_id]))
    await db.execute(ADD_EARN_ENTRIES, {
        "entry_ids": [e.entry_id for e in entries], "members": [e.member_id for e in earned],
        "points": [e.points for e in earned], "balances": [e.balance for e in entries],
        "reasons": [e.reason for e in earned], "sources": [e.source_id for e in earned],
        "totals": [e.source_total for e in earned], "expires_at": expires_at, "at": at})
    await db.execute(SET_BALANCES, {"members": list(balances), "balances": list(balances.values())})
    return entries


def points_earned(earning: Earning, entry: Entry, source_event_id: UUID, now: datetime,
                  expires_at: datetime | None, envelope: dict[str, Any]) -> PointsEarned:
    return PointsEarned(
        **{**envelope, "member_id": earning.member_id}, occurred_at=now,
        entry_id=str(entry.entry_id), source_event_id=source_event_id, points=earning.points,
        reason=earning.reason, expires_at=expires_at, balance=entry.balance)


async def credit(uow: UnitOfWork, earning: Earning, source_event_id: UUID, expiry_years: int,
                 envelope: dict[str, Any]) -> PointsEarned:
    """Earn one earning (its lot expiring `expiry_years` after this year) and emit its
    PointsEarned."""
    now = uow.clock.now()
    expires_at = expiry_for(now, expiry_years)
    [entry] = await earn(uow.connection, [earning], at=now, expires_at=expires_at)
    event = points_earned(earning, entry, source_event_id, now, expires_at, envelope)
    uow.emit(event)
    return event


async def already_earned(db: AsyncConnection, reason: str, source_ids: Sequence[str]) -> set[str]:
    """Which of these sources (purchases, referrals) already earned points for `reason`."""
    rows = await db.execute(text(
        "SELECT source_id FROM points_entries WHERE kind = 'earn' AND reason = :reason "
        "AND source_id = ANY(CAST(:sources AS text[]))"),
        {"reason": reason, "sources": list(source_ids)})
    return set(rows.scalars())


async def open_lots(db: AsyncConnection, member_id: str) -> list[Lot]:
    rows = (await db.execute(OPEN_LOTS, {"member": member_id})).all()
    return [Lot(str(r.entry_id), r.remaining, r.expires_at, r.source_id) for r in rows]


async def spend(db: AsyncConnection, member_id: str, points: int, *, kind: str, reason: str,
                at: datetime, lots: Sequence[Lot] | None = None, source_id: str | None = None
                ) -> Entry:
    """Take `points` out of the member's lots (FIFO unless `lots` gives the order) and write
    the entry; raises NotEnoughPoints."""
    balance = (await lock_accounts(db, [member_id]))[member_id]
    ordered = list(lots) if lots is not None else fifo_order(await open_lots(db, member_id))
    for entry_id, take in take_from_lots(ordered, points):
        await db.execute(TAKE, {"take": take, "entry_id": uuid.UUID(entry_id)})
    entry = Entry(uuid.uuid4(), points, balance - points)
    await db.execute(ADD_SPEND_ENTRY, {
        "entry_id": entry.entry_id, "member": member_id, "kind": kind, "points": -points,
        "balance_after": entry.balance, "reason": reason, "source_id": source_id, "at": at})
    await db.execute(SET_BALANCES, {"members": [member_id], "balances": [entry.balance]})
    return entry


PURCHASE_EARNING = text("""
    SELECT e.points, e.source_total,
           coalesce((SELECT -sum(r.points) FROM points_entries r
                     WHERE r.kind = 'reverse' AND r.source_id = :p), 0) AS reversed,
           (SELECT coalesce(sum(amount), 0) FROM refunds_seen
            WHERE kind = 'purchase' AND source_id = :p) AS refunded
    FROM points_entries e WHERE e.kind = 'earn' AND e.source_id = :p
""")


async def reverse_for_refund(event: PurchaseRefunded, uow: UnitOfWork) -> None:
    """Take back the points of the refunded share of a purchase (the member locked by the
    caller); a refund seen before does nothing."""
    db = uow.connection
    if not await fraud_history.record_purchase_refund(db, event):
        return
    row = (await db.execute(PURCHASE_EARNING, {"p": event.purchase_id})).first()
    if row is None:
        return
    due = reversal_due(row.points, row.source_total, int(row.refunded), int(row.reversed))
    balance = (await lock_accounts(db, [event.member_id]))[event.member_id]
    take = min(due, balance)
    if take < due:
        log.warning("points_reversal_short", purchase_id=event.purchase_id, due=due, taken=take)
    if take == 0:
        return
    lots = fifo_order(await open_lots(db, event.member_id))
    own = [lot for lot in lots if lot.source_id == event.purchase_id]
    entry = await spend(db, event.member_id, take, kind="reverse",
                        reason=f"refund {event.refund_id}", at=uow.clock.now(),
                        lots=own + [lot for lot in lots if lot not in own],
                        source_id=event.purchase_id)
    uow.emit(PointsReversed(**event.caused(occurred_at=uow.clock.now()),
                            entry_id=str(entry.entry_id), points=take,
                            reason="purchase_refunded", source_id=event.purchase_id,
                            refund_id=event.refund_id, balance=entry.balance))


async def expire_member(uow: UnitOfWork, member_id: str, now: datetime) -> int:
    """Expire every lot of the member that is past its date; one PointsExpired per lot.
    The points expired."""
    db = uow.connection
    await lock_member(db, member_id)
    await lock_accounts(db, [member_id])
    count = 0
    for lot in expired(await open_lots(db, member_id), now):
        entry = await spend(db, member_id, lot.remaining, kind="expire", reason="expired",
                            at=now, lots=[lot])
        uow.emit(PointsExpired(occurred_at=now, member_id=member_id, entry_id=str(entry.entry_id),
                               points=lot.remaining, balance=entry.balance))
        count += lot.remaining
    return count


async def members_with_expired_lots(db: AsyncConnection, now: datetime, limit: int) -> list[str]:
    return list((await db.execute(text("""
        SELECT DISTINCT member_id FROM points_entries
        WHERE remaining > 0 AND expires_at <= :now LIMIT :limit
    """), {"now": now, "limit": limit})).scalars())


async def balance_of(db: AsyncConnection, member_id: str) -> int:
    return int((await db.execute(text(
        "SELECT balance FROM points_accounts WHERE member_id = :m"), {"m": member_id})).scalar() or 0)


async def latest_entries(db: AsyncConnection, member_id: str, limit: int) -> list[dict]:
    rows = (await db.execute(text("""
        SELECT entry_id, kind, points, balance_after, reason, source_id, remaining, expires_at,
               occurred_at FROM points_entries WHERE member_id = :m
        ORDER BY occurred_at DESC, entry_id LIMIT :limit
    """), {"m": member_id, "limit": limit})).mappings().all()
    return [dict(r) for r in rows]
