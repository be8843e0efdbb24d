"""Scheduled reports' deliveries: one row per (report, recipient), unique, so a redelivered
report or a second consumer writes nothing more; the delivery job takes one due row at a
time, with its recipient, and records each attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import report_deliveries as deliveries

# The recipient is joined, not locked: a recipient deleted or unsubscribed meanwhile is
# seen as such by this attempt, and a deleted one reads as NULLs.
NEXT_DUE = text("""
    SELECT d.delivery_id, d.report, d.attempts, d.recipient_id,
           r.email, r.locale, r.time_zone, r.report_kinds, r.unsubscribed_at
    FROM report_deliveries d LEFT JOIN ops_recipients r USING (recipient_id)
    WHERE d.status = 'pending' AND d.next_attempt_at <= :now
    ORDER BY d.next_attempt_at, d.delivery_id
    LIMIT 1
    FOR UPDATE OF d SKIP LOCKED
""")


async def record(db: AsyncConnection, report: dict[str, Any], recipient_ids: list[str],
                 source_event_id: UUID, now: datetime) -> int:
    """Queue the report for each recipient, due now; rows already there are left alone.
    How many were queued."""
    if not recipient_ids:
        return 0
    inserted = await db.execute(insert(deliveries).values([
        {"delivery_id": uuid.uuid4(), "report_id": report["report_id"],
         "recipient_id": recipient_id, "source_event_id": source_event_id, "report": report,
         "status": "pending", "next_attempt_at": now, "created_at": now}
        for recipient_id in recipient_ids])
        .on_conflict_do_nothing(index_elements=[deliveries.c.report_id, deliveries.c.recipient_id])
        .returning(deliveries.c.delivery_id))
    return len(inserted.all())


async def next_due(db: AsyncConnection, now: datetime) -> dict[str, Any] | None:
    row = (await db.execute(NEXT_DUE, {"now": now})).mappings().first()
    return dict(row) if row is not None else None


async def update_delivery(db: AsyncConnection, delivery_id: UUID, **values: Any) -> None:
    await db.execute(update(deliveries).where(deliveries.c.delivery_id == delivery_id)
                     .values(**values))
