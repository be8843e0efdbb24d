"""Referrals whose window closed without a qualifying spend: `registered` becomes
`expired`, with a decision (`window_closed`) in the audit trail, so the member's page and
the report stop counting them as pending. Bookkeeping only: a spend made within the window
that arrives late still qualifies an expired referral (store/qualification.py)."""

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
    RETURNING r.referral_id
""")


async def expire_due(open_uow: UnitOfWorkFactory, now: datetime, limit: int = 1_000) -> int:
    """How many referrals expired, a batch of `limit` per transaction until none is due."""
    expired = 0
    while True:
        async with open_uow() as uow:
            ids = list((await uow.connection.execute(EXPIRE, {"now": now, "limit": limit})).scalars())
            for referral_id in ids:
                await referrals.record_decision(uow.connection, referral_id, "expired",
                                                ["window_closed"], "referral", now)
        expired += len(ids)
        if len(ids) < limit:
            return expired
