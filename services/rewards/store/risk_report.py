"""The risk report of a scheduled report: what the fraud screen held in the period and what
reviewers decided, with amounts and turnaround (recharge bonuses, `bonus_decisions`).

Held in the period = decisions made in it that the screen held (still held, or reviewed
since); approved and rejected = reviews made in the period (a held bonus withdrawn because
its recharge was refunded counts as rejected). A rejection sets the bonus to 0, so the
rejected amount is the recharges' principal; the approved amount is the bonus paid.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

HELD = text("""
    SELECT count(*) AS held, coalesce(sum(recharge_amount), 0) AS held_recharge_amount
    FROM (SELECT recharge_amount FROM bonus_decisions
          WHERE status = 'held' AND decided_at >= :start AND decided_at < :end
          UNION ALL
          SELECT recharge_amount FROM bonus_decisions
          WHERE reviewed_at IS NOT NULL AND reviewed_at >= :start
            AND decided_at >= :start AND decided_at < :end) h
""")
DECIDED = text("""
    SELECT count(*) FILTER (WHERE status = 'granted') AS approved,
           coalesce(sum(amount) FILTER (WHERE status = 'granted'), 0) AS approved_bonus,
           count(*) FILTER (WHERE status = 'rejected') AS rejected,
           coalesce(sum(recharge_amount) FILTER (WHERE status = 'rejected'), 0)
               AS rejected_recharge_amount,
           percentile_disc(0.5) WITHIN GROUP (ORDER BY seconds) AS median_seconds,
           percentile_disc(0.9) WITHIN GROUP (ORDER BY seconds) AS p90_seconds
    FROM (SELECT status, amount, recharge_amount,
                 floor(extract(epoch FROM reviewed_at - decided_at))::bigint AS seconds
          FROM bonus_decisions WHERE reviewed_at >= :start AND reviewed_at < :end) d
""")
STILL_HELD = text("SELECT count(*) FROM bonus_decisions WHERE status = 'held'")


async def risk_report(db: AsyncConnection, start: datetime, end: datetime) -> dict[str, Any]:
    """Counts and amounts (minor units) for [start, end); turnaround in whole seconds."""
    held = (await db.execute(HELD, {"start": start, "end": end})).one()
    decided = (await db.execute(DECIDED, {"start": start, "end": end})).one()
    waiting = (await db.execute(STILL_HELD)).scalar_one()
    return {"held": held.held, "held_recharge_amount": int(held.held_recharge_amount),
            "approved": decided.approved, "approved_bonus": int(decided.approved_bonus),
            "rejected": decided.rejected,
            "rejected_recharge_amount": int(decided.rejected_recharge_amount),
            "turnaround_median_seconds": _int(decided.median_seconds),
            "turnaround_p90_seconds": _int(decided.p90_seconds), "still_held": waiting}


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]
