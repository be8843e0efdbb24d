"""The points ledger in the database: every change is an entry with the balance after it;
the member's `points_accounts` row is locked first, which serialises their points and
keeps their points events in order.

Earning rules are data (`EarningRule`): a purchase, a qualified referral or a campaign task
is one more rule, not another code path.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.points import Lot, fifo_order, take_from_lots

LOCK_ACCOUNT = text("""
    INSERT INTO points_accounts (member_id) VALUES (:member) ON CONFLICT (member_id)
    DO UPDATE SET balance = points_accounts.balance RETURNING balance
""")
SET_BALANCE = text("UPDATE points_accounts SET balance = :balance WHERE member_id = :member")
OPEN_LOTS = text("""
    SELECT entry_id, remaining, expires_at FROM points_entries
    WHERE member_id = :member AND kind = 'earn' AND remaining > 0 ORDER BY occurred_at
""")
TAKE = text("UPDATE points_entries SET remaining = remaining - :take WHERE entry_id = :entry_id")
ADD_ENTRY = text("""
    INSERT INTO points_entries (entry_id, member_id, kind, points, balance_after, reason,
        source_id, source_total, remaining, expires_at, occurred_at)
    VALUES (:entry_id, :member, :kind, :points, :balance_after, :reason, :source_id,
        :source_total, :remaining, :expires_at, :at)
""")


@dataclass(frozen=True)
class Entry:
    entry_id: uuid.UUID
    points: int
    balance: int


async def lock_account(db: AsyncConnection, member_id: str) -> int:
    return int((await db.execute(LOCK_ACCOUNT, {"member": member_id})).scalar_one())


async def earn(db: AsyncConnection, member_id: str, points: int, *, reason: str, at: datetime,
               expires_at: datetime | None, source_id: str | None = None,
               source_total: int | None = None) -> Entry:
    balance = await lock_account(db, member_id) + points
    entry = Entry(uuid.uuid4(), points, balance)
    await db.execute(ADD_ENTRY, {
        "entry_id": entry.entry_id, "member": member_id, "kind": "earn", "points": points,
        "balance_after": balance, "reason": reason, "source_id": source_id,
        "source_total": source_total, "remaining": points, "expires_at": expires_at, "at": at})
    await db.execute(SET_BALANCE, {"balance": balance, "member": member_id})
    return entry


LOCK_ACCOUNTS = text("""
    INSERT INTO points_accounts (member_id) SELECT unnest(CAST(:members AS text[]))
    ON CONFLICT (member_id) DO UPDATE SET balance = points_accounts.balance
    RETURNING member_id, balance
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
SET_BALANCES = text("""
    UPDATE points_accounts a SET balance = b.balance
    FROM unnest(CAST(:members AS text[]), CAST(:balances AS bigint[])) AS b(member_id, balance)
    WHERE a.member_id = b.member_id
""")


@dataclass(frozen=True)
class Earned:
    member_id: str
    points: int
    reason: str
    source_id: str | None
    source_total: int | None


async def earn_many(db: AsyncConnection, earned: Sequence[Earned], *, at: datetime,
                    expires_at: datetime | None) -> list[Entry]:
    """`earn` for many earnings in three statements (accounts locked in member id order),
    the entries in the order given, each member's balances running on as they would."""
    if not earned:
        return []
    locked = await db.execute(LOCK_ACCOUNTS, {"members": sorted({e.member_id for e in earned})})
    balances = {row.member_id: int(row.balance) for row in locked}
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


async def purchases_earned(db: AsyncConnection, purchase_ids: Sequence[str]) -> set[str]:
    """Which of these purchases already earned points (`already_earned` for many)."""
    rows = await db.execute(text(
        "SELECT source_id FROM points_entries WHERE kind = 'earn' AND reason = 'purchase' "
        "AND source_id = ANY(CAST(:sources AS text[]))"), {"sources": list(purchase_ids)})
    return set(rows.scalars())


async def open_lots(db: AsyncConnection, member_id: str) -> list[Lot]:
    rows = (await db.execute(OPEN_LOTS, {"member": member_id})).all()
    return [Lot(str(r.entry_id), r.remaining, r.expires_at) for r in rows]


async def spend(db: AsyncConnection, member_id: str, points: int, *, kind: str, reason: str,
                at: datetime, lots: Sequence[Lot] | None = None, source_id: str | None = None
                ) -> Entry:
    """Take `points` out of the member's lots (FIFO unless `lots` gives the order) and write
    the entry; raises NotEnoughPoints."""
    balance = await lock_account(db, member_id)
    ordered = list(lots) if lots is not None else fifo_order(await open_lots(db, member_id))
    for entry_id, take in take_from_lots(ordered, points):
        await db.execute(TAKE, {"take": take, "entry_id": uuid.UUID(entry_id)})
    entry = Entry(uuid.uuid4(), points, balance - points)
    await db.execute(ADD_ENTRY, {
        "entry_id": entry.entry_id, "member": member_id, "kind": kind, "points": -points,
        "balance_after": entry.balance, "reason": reason, "source_id": source_id,
        "source_total": None, "remaining": None, "expires_at": None, "at": at})
    await db.execute(SET_BALANCE, {"balance": entry.balance, "member": member_id})
    return entry


async def purchase_earning(db: AsyncConnection, purchase_id: str) -> tuple[int, int, int] | None:
    """(points earned, purchase total, points reversed so far) for a purchase, if it earned."""
    row = (await db.execute(text("""
        SELECT e.points, e.source_total,
               coalesce((SELECT -sum(r.points) FROM points_entries r
                         WHERE r.kind = 'reverse' AND r.source_id = :p), 0) AS reversed
        FROM points_entries e WHERE e.kind = 'earn' AND e.source_id = :p
    """), {"p": purchase_id})).first()
    return None if row is None else (row.points, row.source_total, int(row.reversed))


async def members_with_expired_lots(db: AsyncConnection, now: datetime, limit: int) -> list[str]:
    return list((await db.execute(text("""
        SELECT DISTINCT member_id FROM points_entries
        WHERE remaining > 0 AND expires_at <= :now LIMIT :limit
    """), {"now": now, "limit": limit})).scalars())


async def already_earned(db: AsyncConnection, reason: str, source_id: str) -> bool:
    return (await db.execute(text(
        "SELECT 1 FROM points_entries WHERE kind = 'earn' AND reason = :reason "
        "AND source_id = :source LIMIT 1"), {"reason": reason, "source": source_id})).first() is not None


async def balance_of(db: AsyncConnection, member_id: str) -> int:
    return int((await db.execute(text(
        "SELECT balance FROM points_accounts WHERE member_id = :m"), {"m": member_id})).scalar() or 0)


async def history(db: AsyncConnection, member_id: str, limit: int) -> list[dict]:
    rows = (await db.execute(text("""
        SELECT entry_id, kind, points, balance_after, reason, source_id, remaining, expires_at,
               occurred_at FROM points_entries WHERE member_id = :m
        ORDER BY occurred_at DESC, entry_id LIMIT :limit
    """), {"m": member_id, "limit": limit})).mappings().all()
    return [dict(r) for r in rows]
