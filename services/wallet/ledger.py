"""The wallet's writes that every money move shares: lock the wallet, read its lots, post a
journal entry, move lots and balances. SQLAlchemy Core and plain SQL, no ORM objects.

Every transaction that moves a member's money locks that member's wallet row first
(`lock_wallet`): that serialises the member's moves (no read-add-write race on lots) and
keeps their events in outbox order."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet import tables
from services.wallet.domain import LedgerLine
from services.wallet.domain_lots import PRINCIPAL, Draw, Lot

LOCK_WALLET = text("""
    INSERT INTO wallets AS w (member_id, currency) VALUES (:member_id, :currency)
    ON CONFLICT (member_id, currency) DO UPDATE SET updated_at = w.updated_at
    RETURNING principal, bonus
""")
# LOCK_WALLET for many (member, currency) pairs in one statement; unnest keeps the order
# given, which `lock_wallets` sorts, so overlapping sets are always locked in one order.
LOCK_WALLETS = text("""
    INSERT INTO wallets AS w (member_id, currency)
    SELECT * FROM unnest(CAST(:member_ids AS text[]), CAST(:currencies AS text[]))
    ON CONFLICT (member_id, currency) DO UPDATE SET updated_at = w.updated_at
""")
OPEN_LOTS = text("""
    SELECT lot_id, kind, remaining, expires_at, seq FROM lots
    WHERE member_id = :member_id AND currency = :currency AND remaining > 0
""")
MOVE_LOTS = text("""
    UPDATE lots SET remaining = lots.remaining + d.delta,
        expired_amount = lots.expired_amount + d.expired
    FROM unnest(CAST(:ids AS uuid[]), CAST(:deltas AS bigint[]), CAST(:expired AS bigint[]))
         AS d(lot_id, delta, expired)
    WHERE lots.lot_id = d.lot_id
""")
MOVE_BALANCES = text("""
    UPDATE wallets SET principal = principal + :principal, bonus = bonus + :bonus, updated_at = :now
    WHERE member_id = :member_id AND currency = :currency
    RETURNING principal, bonus
""")


@dataclass(frozen=True)
class Balances:
    principal: int
    bonus: int

    @property
    def total(self) -> int:
        return self.principal + self.bonus


async def lock_wallet(db: AsyncConnection, member_id: str, currency: str) -> Balances:
    row = (await db.execute(LOCK_WALLET, {"member_id": member_id, "currency": currency})).one()
    return Balances(row.principal, row.bonus)


async def lock_wallets(db: AsyncConnection, wallets: Iterable[tuple[str, str]]) -> None:
    """`lock_wallet` for many (member, currency) wallets at once, in key order."""
    keys = sorted(set(wallets))
    await db.execute(LOCK_WALLETS, {"member_ids": [m for m, _ in keys],
                                    "currencies": [c for _, c in keys]})


async def open_lots(db: AsyncConnection, member_id: str, currency: str) -> list[Lot]:
    rows = await db.execute(OPEN_LOTS, {"member_id": member_id, "currency": currency})
    return [Lot(r.lot_id, r.kind, r.remaining, r.expires_at, r.seq) for r in rows]


async def post_entry(
    db: AsyncConnection, *, member_id: str, currency: str, kind: str, source_id: object,
    reason: str, lines: Sequence[LedgerLine], now: datetime, actor: str | None = None,
) -> uuid.UUID | None:
    """One immutable journal entry; the database refuses it at commit unless it balances."""
    if not lines:
        return None
    entry_id = uuid.uuid4()
    await db.execute(insert(tables.journal_entries).values(
        entry_id=entry_id, member_id=member_id, kind=kind, source_id=str(source_id),
        reason=reason, occurred_at=now, actor=actor))
    await db.execute(insert(tables.journal_lines), [
        {"entry_id": entry_id, "line_no": n, "account": line.account, "member_id": line.member_id,
         "currency": currency, "amount": line.amount}
        for n, line in enumerate(lines, start=1)
    ])
    return entry_id


async def move_lots(db: AsyncConnection, deltas: Iterable[Draw], expired: bool = False) -> None:
    """Add each draw's (signed) amount to its lot's remaining; `expired` books it as expiry."""
    moves = [d for d in deltas if d.amount]
    if moves:
        await db.execute(MOVE_LOTS, {
            "ids": [d.lot_id for d in moves], "deltas": [d.amount for d in moves],
            "expired": [-d.amount if expired else 0 for d in moves]})


async def move_balances(db: AsyncConnection, member_id: str, currency: str, principal: int,
                        bonus: int, now: datetime) -> Balances:
    row = (await db.execute(MOVE_BALANCES, {
        "member_id": member_id, "currency": currency, "principal": principal, "bonus": bonus,
        "now": now})).one()
    return Balances(row.principal, row.bonus)


def by_kind(draws: Iterable[Draw]) -> tuple[int, int]:
    """(principal, bonus) totals of some draws."""
    draws = list(draws)
    principal = sum(d.amount for d in draws if d.kind == PRINCIPAL)
    return principal, sum(d.amount for d in draws) - principal


def negated(draws: Iterable[Draw]) -> list[Draw]:
    return [Draw(d.lot_id, d.kind, -d.amount) for d in draws]


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
