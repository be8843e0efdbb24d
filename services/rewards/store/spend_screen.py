"""The fraud screen on a payment on spend: the recharge bonus's screen (rules/fraud.py,
same rules, weights and thresholds) fed with the member's and the terminal's earlier
purchases that earned something (`cashback_grants`, one row per grant, counted once per
purchase). Velocity counts include the purchase being screened; `large_vs_history`
compares it with the member's average earlier one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.fraud import FraudThresholds, RechargeHistory, Verdict, screen
from shared.events.wallet import PurchaseCompleted

# Earlier purchases that earned something, each once (a purchase may pay several offers)
EARLIER = text("""
    WITH seen AS (
      SELECT DISTINCT ON (purchase_id) member_id, terminal_id, granted_at, purchase_amount
      FROM cashback_grants
      WHERE (member_id = :member OR terminal_id = :terminal) AND purchase_id <> :purchase
      ORDER BY purchase_id, granted_at
    )
    SELECT count(*) FILTER (WHERE member_id = :member AND granted_at > :member_since) AS member_recent,
           count(*) FILTER (WHERE terminal_id = :terminal AND granted_at > :terminal_since)
             AS terminal_recent,
           count(*) FILTER (WHERE member_id = :member) AS prior_count,
           coalesce(sum(purchase_amount) FILTER (WHERE member_id = :member), 0) AS prior_total
    FROM seen
""")


async def screen_purchase(db: AsyncConnection, event: PurchaseCompleted, amount: int,
                          thresholds: FraudThresholds, now) -> Verdict:
    row = (await db.execute(EARLIER, {
        "member": event.member_id, "terminal": event.terminal_id, "purchase": event.purchase_id,
        "member_since": now - timedelta(minutes=thresholds.member_velocity_minutes),
        "terminal_since": now - timedelta(minutes=thresholds.terminal_velocity_minutes),
    })).one()
    return screen(RechargeHistory(
        amount=amount, is_first_recharge=False, member_recent=row.member_recent + 1,
        terminal_recent=row.terminal_recent + 1 if event.terminal_id else 0,
        prior_count=row.prior_count, prior_total=int(row.prior_total),
        counted="purchases with cash-back"), thresholds)
