"""Birthdays to announce: members whose birthday is celebrated today and who were not yet
announced this year, claimed in one UPDATE so a second run (another replica, a restart,
the next tick of the same day) claims nobody twice."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# `members_by_birthday` finds the day's members (about 1/365 of them); SKIP LOCKED leaves
# a member whose row another transaction holds (an enrolment, a tier change) to the next
# run, which comes within a minute.
CLAIM = text("""
    UPDATE members SET birthday_celebrated_in = CAST(:year AS integer)
    WHERE member_id IN (
        SELECT member_id FROM members
        WHERE birthday = ANY(CAST(:days AS text[]))
          AND birthday_celebrated_in IS DISTINCT FROM CAST(:year AS integer)
        ORDER BY member_id LIMIT :batch FOR UPDATE SKIP LOCKED)
    RETURNING member_id
""")


async def claim_celebrations(db: AsyncConnection, days: tuple[str, ...], year: int,
                             batch: int) -> list[str]:
    """Up to `batch` members to announce, marked as announced for `year`."""
    rows = await db.execute(CLAIM, {"days": list(days), "year": year, "batch": batch})
    return sorted(rows.scalars())
