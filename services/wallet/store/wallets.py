"""A member's wallet row: the lock every money move takes first, its cached balances, and
its balance now or at any past moment (from the ledger).

Every transaction that moves a member's money locks that member's wallet row first
(`lock_wallet`): that serialises the member's moves (no read-add-write race on lots) and
keeps their events in outbox order."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

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
MOVE_BALANCES = text("""
    UPDATE wallets SET principal = principal + :principal, bonus = bonus + :bonus,
        held_principal = held_principal + :held, updated_at = :now
    WHERE member_id = :member_id AND currency = :currency
    RETURNING principal, bonus
""")
BALANCE_NOW = text("""
    SELECT principal, bonus, held_principal FROM wallets WHERE member_id = :m AND currency = :c
""")
BALANCE_AT = text("""
    SELECT -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_principal'), 0) AS principal,
           -coalesce(sum(l.amount) FILTER (WHERE l.account = 'member_bonus'), 0) AS bonus
    FROM journal_lines l JOIN journal_entries e USING (entry_id)
    WHERE l.member_id = :m AND l.currency = :c AND e.occurred_at <= :at
""")
EXPIRING = text("""
    SELECT remaining AS amount, expires_at FROM lots WHERE member_id = :m AND currency = :c
      AND kind = 'bonus' AND remaining > 0 AND expires_at IS NOT NULL ORDER BY expires_at LIMIT 20
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


async def move_balances(db: AsyncConnection, member_id: str, currency: str, principal: int,
                        bonus: int, now: datetime, held: int = 0) -> Balances:
    """Add to the spendable principal, the bonus and the held principal."""
    row = (await db.execute(MOVE_BALANCES, {
        "member_id": member_id, "currency": currency, "principal": principal, "bonus": bonus,
        "held": held, "now": now})).one()
    return Balances(row.principal, row.bonus)


async def stored_value(db: AsyncConnection, member_id: str, currency: str) -> int:
    """Stored value as the recharge's caps count it: principal, held principal and bonus
    (the cached row; 0: no wallet)."""
    row = (await db.execute(BALANCE_NOW, {"m": member_id, "c": currency})).first()
    return int(row.principal) + int(row.held_principal) + int(row.bonus) if row else 0


async def balance(db: AsyncConnection, member_id: str, currency: str, at: datetime | None) -> dict:
    """The balances now (the cached row: spendable principal and bonus, held principal, the
    bonus about to expire) or at `at` (the sum of the member's ledger lines up to then, in
    which principal counts held principal too: the ledger knows no holds)."""
    params = {"m": member_id, "c": currency, "at": at}
    row = (await db.execute(BALANCE_AT if at else BALANCE_NOW, params)).first()
    principal, bonus = (int(row.principal), int(row.bonus)) if row else (0, 0)
    held = int(row.held_principal) if row is not None and not at else 0
    expiring = [] if at else [dict(r._mapping) for r in await db.execute(EXPIRING, params)]
    return {"member_id": member_id, "currency": currency, "principal": principal, "bonus": bonus,
            "balance": principal + bonus, "held_principal": held, "as_of": at,
            "bonus_expiring": expiring}
