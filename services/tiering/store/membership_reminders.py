"""The membership reminder job's rows: the terms due now (`next_due_at`, a partial index
holds only terms with work), the reminders claimed once per term, kind and offset
(`reminders_sent`), and each term's next due moment."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.store import tables

DUE_TERMS = text("""
    SELECT term_id, member_id, term_end, next_due_at FROM membership_terms
    WHERE next_due_at IS NOT NULL AND next_due_at <= :now
      AND (next_due_at, term_id) > (:after_due, :after_id)
    ORDER BY next_due_at, term_id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")


async def due_terms(db: AsyncConnection, now: datetime, after: tuple[datetime, UUID],
                    limit: int) -> list[Row]:
    """The next keyset batch of terms due at `now`, after `(next_due_at, term_id)`, locked;
    a term another transaction holds (a renewal right now) is left for the next run."""
    return list((await db.execute(DUE_TERMS, {
        "now": now, "after_due": after[0], "after_id": after[1], "limit": limit})).all())


async def claim(db: AsyncConnection, term_id: UUID, kind: str, offsets: tuple[int, ...],
                now: datetime) -> bool:
    """Claim the due offsets; True if the nearest one was claimed now (so: emit it). The
    farther ones claimed in the same go were missed and are recorded as skipped."""
    if not offsets:
        return False
    nearest = min(offsets)
    statement = insert(tables.reminders_sent).values([
        {"term_id": term_id, "kind": kind, "offset_days": d, "emitted": d == nearest, "sent_at": now}
        for d in offsets]).on_conflict_do_nothing().returning(tables.reminders_sent.c.emitted)
    return any((await db.execute(statement)).scalars().all())


async def reschedule(db: AsyncConnection, term_id: UUID, next_due_at: datetime | None) -> None:
    terms = tables.membership_terms
    await db.execute(update(terms).where(terms.c.term_id == term_id).values(next_due_at=next_due_at))
