"""The ledger's invariants, checked in the database (`GET /v1/ops/ledger/verify`,
`patronage wallet verify`).

Invariants: every journal entry balances; for every wallet, the cached balances = the sums
of its member-account ledger lines = the sums of its lots' remaining; nothing is negative.
Held principal (lots.held, a risk rule's hold) is a liability like any principal: the ledger's
member_principal = wallets.principal + wallets.held_principal = the principal lots'
remaining, and wallets.held_principal = the held lots' remaining.
`verify_ledger` reports every violation it finds (an empty list means the books are right).
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.engine import create_service_engine
from shared.settings import PlatformSettings

UNBALANCED = text("""
    SELECT entry_id::text AS entry_id, sum(amount) AS off FROM journal_lines
    GROUP BY entry_id HAVING sum(amount) <> 0 LIMIT 100
""")
MISMATCHED = text("""
    WITH ledger AS (
      SELECT member_id, currency,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_principal'), 0) AS principal,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_bonus'), 0) AS bonus
      FROM journal_lines WHERE member_id IS NOT NULL GROUP BY member_id, currency),
    held AS (
      SELECT member_id, currency,
        coalesce(sum(remaining) FILTER (WHERE kind = 'principal'), 0) AS principal,
        coalesce(sum(remaining) FILTER (WHERE held), 0) AS held_principal,
        coalesce(sum(remaining) FILTER (WHERE kind = 'bonus'), 0) AS bonus
      FROM lots GROUP BY member_id, currency)
    SELECT member_id, currency,
      coalesce(w.principal, 0) + coalesce(w.held_principal, 0) AS wallet_principal,
      coalesce(w.bonus, 0) AS wallet_bonus, coalesce(l.principal, 0) AS ledger_principal,
      coalesce(l.bonus, 0) AS ledger_bonus, coalesce(h.principal, 0) AS lots_principal,
      coalesce(h.bonus, 0) AS lots_bonus
    FROM wallets w FULL JOIN ledger l USING (member_id, currency)
      FULL JOIN held h USING (member_id, currency)
    WHERE NOT (coalesce(w.principal, 0) + coalesce(w.held_principal, 0) = coalesce(l.principal, 0)
               AND coalesce(w.held_principal, 0) = coalesce(h.held_principal, 0)
               AND coalesce(l.principal, 0) = coalesce(h.principal, 0)
               AND coalesce(w.bonus, 0) = coalesce(l.bonus, 0)
               AND coalesce(l.bonus, 0) = coalesce(h.bonus, 0))
    LIMIT 100
""")
NEGATIVE = text("""
    SELECT 'wallet' AS what, member_id || '/' || currency AS id FROM wallets
      WHERE principal < 0 OR bonus < 0 OR held_principal < 0
    UNION ALL
    SELECT 'lot', lot_id::text FROM lots
      WHERE remaining < 0 OR remaining > amount OR (held AND kind <> 'principal')
    LIMIT 100
""")
COUNTS = text("""
    SELECT (SELECT count(*) FROM wallets) AS wallets,
           (SELECT count(*) FROM journal_entries) AS entries,
           (SELECT count(*) FROM lots) AS lots
""")


async def verify_ledger(db: AsyncConnection) -> dict:
    problems = [f"entry {r.entry_id} is off by {r.off}" for r in await db.execute(UNBALANCED)]
    problems += [
        f"wallet {r.member_id}/{r.currency}: cached {r.wallet_principal}/{r.wallet_bonus}, "
        f"ledger {r.ledger_principal}/{r.ledger_bonus}, lots {r.lots_principal}/{r.lots_bonus} "
        "(principal/bonus)"
        for r in await db.execute(MISMATCHED)]
    problems += [f"{r.what} {r.id} is negative or out of range" for r in await db.execute(NEGATIVE)]
    counts = (await db.execute(COUNTS)).one()
    return {"ok": not problems, "problems": problems, "wallets": counts.wallets,
            "entries": counts.entries, "lots": counts.lots}


async def run_verify(platform: PlatformSettings) -> dict:
    """`verify_ledger` on the configured database, outside any HTTP server (the CLI)."""
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        async with engine.connect() as db:
            return await verify_ledger(db)
    finally:
        await engine.dispose()
