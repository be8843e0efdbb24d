"""The liability report (`GET /v1/ops/reports/liability`, `patronage wallet liability`):
per currency, what the merchant owes members (principal, bonus), breakage, bonus expense,
cash held, revenue and the bonus expiring within 30 days, now or as the ledger stood;
`refund_due`: principal of erased members owed back to them (store/erasure.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.clock import Clock, SystemClock
from shared.db.engine import create_service_engine
from shared.settings import PlatformSettings

LIABILITY = text("""
    WITH accounts AS (
      SELECT currency,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_principal'), 0) AS principal,
        -coalesce(sum(amount) FILTER (WHERE account = 'member_bonus'), 0) AS bonus,
        -coalesce(sum(amount) FILTER (WHERE account = 'breakage'), 0) AS breakage,
        -coalesce(sum(amount) FILTER (WHERE account = 'erasure_refund_due'), 0) AS refund_due,
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


async def liability_report(db: AsyncConnection, now: datetime, as_of: datetime | None = None) -> list[dict]:
    rows = await db.execute(LIABILITY, {"now": now, "as_of": as_of})
    return [{key: (int(value) if key != "currency" else value) for key, value in row._mapping.items()}
            for row in rows]


async def run_liability(platform: PlatformSettings, clock: Clock | None = None) -> list[dict]:
    """`liability_report` on the configured database, outside any HTTP server (the CLI)."""
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        async with engine.connect() as db:
            return await liability_report(db, (clock or SystemClock()).now())
    finally:
        await engine.dispose()
