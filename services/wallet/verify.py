"""The ledger's invariants, checked in the database, and the liability report.

Invariants: every journal entry balances; for every wallet, the cached balances = the sums
of its member-account ledger lines = the sums of its lots' remaining; nothing is negative.
`verify_ledger` reports every violation it finds (an empty list means the books are right).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

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
        coalesce(sum(remaining) FILTER (WHERE kind = 'bonus'), 0) AS bonus
      FROM lots GROUP BY member_id, currency)
    SELECT member_id, currency, coalesce(w.principal, 0) AS wallet_principal,
      coalesce(w.bonus, 0) AS wallet_bonus, coalesce(l.principal, 0) AS ledger_principal,
      coalesce(l.bonus, 0) AS ledger_bonus, coalesce(h.principal, 0) AS lots_principal,
      coalesce(h.bonus, 0) AS lots_bonus
    FROM wallets w FULL JOIN ledger l USING (member_id, currency)
      FULL JOIN held h USING (member_id, currency)
    WHERE NOT (coalesce(w.principal, 0) = coalesce(l.principal, 0)
               AND coalesce(l.principal, 0) = coalesce(h.principal, 0)
               AND coalesce(w.bonus, 0) = coalesce(l.bonus, 0)
               AND coalesce(l.bonus, 0) = coalesce(h.bonus, 0))
    LIMIT 100
""")
NEGATIVE = text("""
    SELECT 'wallet' AS what, member_id || '/' || currency AS id FROM wallets
      WHERE principal < 0 OR bonus < 0
    UNION ALL
    SELECT 'lot', lot_id::text FROM lots WHERE remaining < 0 OR remaining > amount
    LIMIT 100
""")
COUNTS = text("""
    SELECT (SELECT count(*) FROM wallets) AS wallets,
           (SELECT count(*) FROM journal_entries) AS entries,
           (SELECT count(*) FROM lots) AS lots
""")
LIABILITY = text("""
    WITH accounts AS (
      SELECT currency,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_principal'), 0) AS principal,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_bonus'), 0) AS bonus,
        -coalesce(sum(amount) FILTER (WHERE account = 'breakage'), 0) AS breakage,
        coalesce(sum(amount) FILTER (WHERE account = 'bonus_expense'), 0) AS bonus_expense,
        coalesce(sum(amount) FILTER (WHERE account = 'merchant_clearing'), 0) AS cash_held,
        -coalesce(sum(amount) FILTER (WHERE account = 'sales_revenue'), 0) AS sales_revenue
      FROM journal_lines l JOIN journal_entries e USING (entry_id)
      WHERE CAST(:as_of AS timestamptz) IS NULL OR e.occurred_at <= :as_of
      GROUP BY currency),
    expiring AS (
      SELECT currency, coalesce(sum(remaining), 0) AS bonus_expiring_30d FROM lots
      WHERE kind = 'bonus' AND remaining > 0 AND expires_at <= CAST(:now AS timestamptz) + interval '30 days'
      GROUP BY currency),
    holders AS (
      SELECT currency, count(*) FILTER (WHERE principal + bonus > 0) AS wallets_with_balance
      FROM wallets GROUP BY currency)
    SELECT a.*, coalesce(x.bonus_expiring_30d, 0) AS bonus_expiring_30d,
      coalesce(h.wallets_with_balance, 0) AS wallets_with_balance
    FROM accounts a LEFT JOIN expiring x USING (currency) LEFT JOIN holders h USING (currency)
    ORDER BY currency
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


async def liability_report(db: AsyncConnection, now: datetime, as_of: datetime | None = None) -> list[dict]:
    rows = await db.execute(LIABILITY, {"now": now, "as_of": as_of})
    return [{key: (int(value) if key != "currency" else value) for key, value in row._mapping.items()}
            for row in rows]
