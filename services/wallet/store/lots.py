"""Where stored value sits: reading a wallet's open lots, moving what they hold, making a
new one. Which lots pay is decided by rules/lots.py."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.lots import Draw, Lot
from services.wallet.store import tables

# Spendable lots only: a held principal lot (a risk rule held its recharge) pays nothing.
OPEN_LOTS = text("""
    SELECT lot_id, kind, remaining, expires_at, seq FROM lots
    WHERE member_id = :member_id AND currency = :currency AND remaining > 0 AND NOT held
""")
MOVE_LOTS = text("""
    UPDATE lots SET remaining = lots.remaining + d.delta,
        expired_amount = lots.expired_amount + d.expired
    FROM unnest(CAST(:ids AS uuid[]), CAST(:deltas AS bigint[]), CAST(:expired AS bigint[]))
         AS d(lot_id, delta, expired)
    WHERE lots.lot_id = d.lot_id
""")


async def open_lots(db: AsyncConnection, member_id: str, currency: str) -> list[Lot]:
    rows = await db.execute(OPEN_LOTS, {"member_id": member_id, "currency": currency})
    return [Lot(r.lot_id, r.kind, r.remaining, r.expires_at, r.seq) for r in rows]


async def move_lots(db: AsyncConnection, deltas: Iterable[Draw], expired: bool = False) -> None:
    """Add each draw's (signed) amount to its lot's remaining; `expired` books it as expiry."""
    moves = [d for d in deltas if d.amount]
    if moves:
        await db.execute(MOVE_LOTS, {
            "ids": [d.lot_id for d in moves], "deltas": [d.amount for d in moves],
            "expired": [-d.amount if expired else 0 for d in moves]})


async def new_lot(db: AsyncConnection, *, member_id: str, currency: str, kind: str, amount: int,
                  source_kind: str, source_id: object, now: datetime,
                  recharge_id: uuid.UUID | None = None, grant_id: uuid.UUID | None = None,
                  expires_at: datetime | None = None) -> uuid.UUID:
    lot_id = uuid.uuid4()
    await db.execute(insert(tables.lots).values(
        lot_id=lot_id, member_id=member_id, currency=currency, kind=kind, amount=amount,
        remaining=amount, source_kind=source_kind, source_id=str(source_id),
        recharge_id=recharge_id, grant_id=grant_id, expires_at=expires_at, created_at=now))
    return lot_id


RELEASE_LOT = text("""
    UPDATE lots SET held = false WHERE recharge_id = :recharge_id AND kind = 'principal' AND held
    RETURNING remaining
""")


async def release_held_lot(db: AsyncConnection, recharge_id: uuid.UUID) -> int | None:
    """Make a recharge's held principal lot spendable; what it holds, or None if it was not
    held (already released, or never held)."""
    row = (await db.execute(RELEASE_LOT, {"recharge_id": recharge_id})).first()
    return None if row is None else int(row.remaining)
