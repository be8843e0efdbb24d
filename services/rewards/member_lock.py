"""One member's rewards changes, one at a time.

Every transaction that emits events about a member takes this lock first (a transaction-
scoped advisory lock on the member id), so consumer batches, reviews and API calls that
touch the same member serialise and their events enter the outbox in order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

LOCK = text("SELECT pg_advisory_xact_lock(hashtext('rewards.member'), hashtext(:member))")


async def lock_member(db: AsyncConnection, member_id: str) -> None:
    await db.execute(LOCK, {"member": member_id})
