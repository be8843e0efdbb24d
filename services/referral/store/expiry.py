"""Referrals whose window closed without a qualifying spend: `registered` becomes
`expired`, with a decision (`window_closed`) in the audit trail, so the member's page and
the report stop counting them as pending, and ReferralClosed (outcome `expired`) tells
subscribers the same. Not final: a spend made within the window that arrives late still
qualifies an expired referral (store/qualification.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from services.referral.store import referrals
from shared.db.unit_of_work import UnitOfWorkFactory

# SKIP LOCKED and the status test: two replicas sweeping at once expire each one once
EXPIRE = text("""
    WITH due AS (
        SELECT referral_id FROM referrals WHERE status = 'registered' AND qualify_by < :now
        ORDER BY qualify_by, referral_id LIMIT :limit FOR UPDATE SKIP LOCKED)
    UPDATE referrals r SET status = 'expired', decided_at = :now
    FROM due WHERE r.referral_id = due.referral_id AND r.status = 'registered'
    RETURNING r.referral_id, r.referrer_id, r.invitee_id
""")


async def expire_due(open_uow: UnitOfWorkFactory, now: datetime, limit: int = 1_000) -> int:
    """How many referrals expired, a batch of `limit` per transaction until none is due."""
    expired = 0
    while True:
        async with open_uow() as uow:
            rows = list((await uow.connection.execute(
                EXPIRE, {"now": now, "limit": limit})).mappings())
            # No referrer lock: this holds the referral rows already, and a spend on the same
            # referral waits for that row (after its referrer lock), so taking the referrer
            # lock here could deadlock; the row lock alone keeps this referral's events in order.
            for row in rows:
                await referrals.record_decision(uow.connection, row["referral_id"], "expired",
                                                ["window_closed"], "referral", now)
                referrals.emit_closed(uow, row, "expired", ["window_closed"], "referral")
        expired += len(rows)
        if len(rows) < limit:
            return expired
