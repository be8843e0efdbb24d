"""Bonus expiry: a due bonus lot's remainder leaves the wallet as breakage, one journal
entry and one `BonusExpired` per lot — never a silent drop. Principal never expires (its
lots have no expiry). Once per lot by construction: the wallet's row lock is held, and an
expired lot has nothing remaining, so it is never due again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from services.wallet.rules.entries import expiry_lines
from services.wallet.rules.lots import Draw, Lot, due_lots
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots, open_lots
from services.wallet.store.wallets import lock_wallet, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import BonusExpired

GRANTS_OF_LOTS = text("SELECT lot_id, grant_id FROM lots WHERE lot_id = ANY(:ids)")
WALLETS_WITH_DUE_LOTS = text("""
    SELECT DISTINCT member_id, currency FROM lots
    WHERE kind = 'bonus' AND remaining > 0 AND expires_at <= :now
    ORDER BY member_id, currency LIMIT :limit
""")


@dataclass(frozen=True)
class ExpiryRun:
    wallets: int
    lots: int
    amount: int


async def expire_due(uow: UnitOfWork, member_id: str, currency: str, lots: Sequence[Lot],
                     now: datetime) -> tuple[int, int]:
    """Expire this (locked) wallet's due lots; (lots expired, amount)."""
    db = uow.connection
    due = due_lots(lots, now)
    if not due:
        return 0, 0
    amount = sum(lot.remaining for lot in due)
    grants = dict((await db.execute(GRANTS_OF_LOTS, {"ids": [lot.lot_id for lot in due]})).all())
    await move_lots(db, [Draw(lot.lot_id, lot.kind, -lot.remaining) for lot in due], expired=True)
    balances = await move_balances(db, member_id, currency, 0, -amount, now)
    for lot in due:
        await post_entry(db, member_id=member_id, currency=currency, kind="expiry",
                         source_id=lot.lot_id, reason="bonus expired", now=now,
                         lines=expiry_lines(member_id, lot.remaining))
        uow.emit(BonusExpired(
            member_id=member_id, occurred_at=now, lot_id=lot.lot_id,
            grant_id=grants.get(lot.lot_id), amount=lot.remaining, currency=currency,
            expires_at=lot.expires_at, bonus_balance=balances.bonus))
    return len(due), amount


async def expire_bonus_lots(uow: UnitOfWork, now: datetime, limit: int = 1_000) -> ExpiryRun:
    """Expire every due bonus lot of up to `limit` wallets (run it again for more)."""
    db = uow.connection
    wallets = (await db.execute(WALLETS_WITH_DUE_LOTS, {"now": now, "limit": limit})).all()
    lots = amount = 0
    for member_id, currency in wallets:
        await lock_wallet(db, member_id, currency)
        count, expired = await expire_due(uow, member_id, currency,
                                          await open_lots(db, member_id, currency), now)
        lots, amount = lots + count, amount + expired
    return ExpiryRun(len(wallets), lots, amount)
