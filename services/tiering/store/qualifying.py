"""Qualifying measures in the database: dated, signed spend entries per member (what each
event counts for is decided in rules/qualifying.py).

A refund's entry is dated like the purchase it refunds, so the rolling 12-month sum is net
of refunds in the window the purchase belonged to. Every source is recorded once (unique
per kind and id), so a second event for the same source is a no-op.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.qualifying import rolling_year_start, standing_of
from services.tiering.rules.tiers import Standing
from services.tiering.store import tables

STANDING = text("""
    SELECT
      coalesce(sum(amount) FILTER (WHERE measure = 'spend_12m'), 0)::bigint AS spend_12m,
      coalesce(sum(amount) FILTER (WHERE measure = 'lifetime_recharge'), 0)::bigint AS recharge
    FROM spend_entries
    WHERE member_id = :member_id
      AND ((measure = 'spend_12m' AND counted_at > :since AND counted_at <= :now)
           OR measure = 'lifetime_recharge')
""")


STANDINGS = text("""
    SELECT member_id,
      coalesce(sum(amount) FILTER (WHERE measure = 'spend_12m'), 0)::bigint AS spend_12m,
      coalesce(sum(amount) FILTER (WHERE measure = 'lifetime_recharge'), 0)::bigint AS recharge
    FROM spend_entries
    WHERE member_id = ANY(CAST(:ids AS text[]))
      AND ((measure = 'spend_12m' AND counted_at > :since AND counted_at <= :now)
           OR measure = 'lifetime_recharge')
    GROUP BY member_id
""")
RECORD_PURCHASES = text("""
    INSERT INTO spend_entries (member_id, measure, source_kind, source_id, amount, counted_at)
    SELECT member_id, 'spend_12m', 'purchase', source_id, amount, counted_at
    FROM unnest(CAST(:members AS text[]), CAST(:sources AS text[]), CAST(:amounts AS bigint[]),
                CAST(:counted_at AS timestamptz[])) AS e(member_id, source_id, amount, counted_at)
    ON CONFLICT (source_kind, source_id) DO NOTHING
    RETURNING source_id
""")


async def standing(db: AsyncConnection, member_id: str, now: datetime) -> Standing:
    row = (await db.execute(STANDING, {"member_id": member_id, "since": rolling_year_start(now),
                                        "now": now})).one()
    return standing_of(int(row.spend_12m), int(row.recharge))


async def unclipped_standings(db: AsyncConnection, member_ids: Sequence[str], now: datetime
                              ) -> dict[str, tuple[int, int]]:
    """(spend_12m, lifetime_recharge) sums per member as `standing` reads them, before
    clipping at 0, so entries recorded afterwards can be added in memory; members without
    entries are absent."""
    rows = await db.execute(STANDINGS, {"ids": list(member_ids), "since": rolling_year_start(now),
                                        "now": now})
    return {row.member_id: (int(row.spend_12m), int(row.recharge)) for row in rows}


@dataclass(frozen=True)
class PurchaseEntry:
    member_id: str
    purchase_id: str
    amount: int
    counted_at: datetime


async def record_purchases(db: AsyncConnection, entries: Sequence[PurchaseEntry]) -> set[str]:
    """`record` for many purchases' spend_12m entries in one statement; the purchase ids
    recorded now (the others were recorded before). Give each purchase once."""
    if not entries:
        return set()
    rows = await db.execute(RECORD_PURCHASES, {
        "members": [e.member_id for e in entries], "sources": [e.purchase_id for e in entries],
        "amounts": [e.amount for e in entries], "counted_at": [e.counted_at for e in entries]})
    return set(rows.scalars())


async def record(db: AsyncConnection, *, member_id: str, measure: str, source_kind: str,
                 source_id: str, amount: int, counted_at: datetime,
                 refers_to: str | None = None) -> bool:
    """Record one entry; False if this source was recorded before."""
    statement = insert(tables.spend_entries).values(
        member_id=member_id, measure=measure, source_kind=source_kind, source_id=source_id,
        amount=amount, counted_at=counted_at, refers_to=refers_to,
    ).on_conflict_do_nothing(index_elements=["source_kind", "source_id"]).returning(
        tables.spend_entries.c.entry_id)
    return (await db.execute(statement)).first() is not None


async def original(db: AsyncConnection, source_kind: str, source_id: str):
    """The entry a refund refers to, and how much of it is still counted."""
    entries = tables.spend_entries
    row = (await db.execute(select(entries).where(
        entries.c.source_kind == source_kind, entries.c.source_id == source_id))).first()
    if row is None:
        return None, 0
    refunded = (await db.execute(select(func.coalesce(func.sum(entries.c.amount), 0)).where(
        entries.c.refers_to == source_id, entries.c.measure == row.measure))).scalar_one()
    return row, row.amount + int(refunded)
