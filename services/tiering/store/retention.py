"""Retention of inactive members' personal data: who has shown no activity (no spend or
recharge counted, no paid term running, not enrolled) since the cutoff and has no erasure
under way. jobs/erasures.py erases them with reason `retention`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

INACTIVE = text("""
    SELECT m.member_id FROM members m
    WHERE m.enrolled_at < :cutoff
      AND NOT EXISTS (SELECT 1 FROM spend_entries s
                      WHERE s.member_id = m.member_id AND s.counted_at >= :cutoff)
      AND NOT EXISTS (SELECT 1 FROM membership_terms t
                      WHERE t.member_id = m.member_id AND t.term_end >= :cutoff)
      AND NOT EXISTS (SELECT 1 FROM erasure_requests r
                      WHERE r.member_id = m.member_id AND r.status <> 'cancelled')
    ORDER BY m.member_id LIMIT :limit
""")


async def inactive_members(db: AsyncConnection, cutoff: datetime, limit: int) -> list[str]:
    return list((await db.execute(INACTIVE, {"cutoff": cutoff, "limit": limit})).scalars())
