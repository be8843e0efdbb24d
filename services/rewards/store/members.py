"""The member lock: one member's rewards changes, one at a time.

Every transaction that emits events about a member takes this lock first (a transaction-
scoped advisory lock on the member id), so consumer batches, reviews and API calls that
touch the same member serialise and their events enter the outbox in order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# unnest keeps the array's order, so the locks are taken in the (sorted) order given
LOCK_MEMBERS = text("""
    SELECT pg_advisory_xact_lock(hashtext('rewards.member'), hashtext(member_id))
    FROM unnest(CAST(:members AS text[])) AS member_id
""")


async def lock_members(db: AsyncConnection, member_ids: Iterable[str]) -> None:
    """Lock every member given, in one statement, in member id order, so two transactions
    locking overlapping sets never wait on each other in a cycle."""
    await db.execute(LOCK_MEMBERS, {"members": sorted(set(member_ids))})


async def lock_member(db: AsyncConnection, member_id: str) -> None:
    await lock_members(db, [member_id])
