"""Messages and their delivery log: recording one per source event and kind, finding the
due ones, and writing each attempt's outcome."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, select, text, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.rules.kinds import KINDS
from services.notifier.rules.triggers import Draft
from services.notifier.store.tables import notifications

DUE = text("""
    SELECT * FROM notifications
    WHERE status = 'pending' AND next_attempt_at <= :now
    ORDER BY next_attempt_at, notification_id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")


async def record(connection: AsyncConnection, member_id: str, draft: Draft, dedup_key: str,
                 now: datetime, source_event_id: UUID | None = None) -> bool:
    """Queue the message for delivery now; False if one with this dedup key exists (a
    redelivered event, a job run twice), and nothing is written."""
    inserted = await connection.execute(insert(notifications).values(
        notification_id=uuid.uuid4(), member_id=member_id, kind=draft.kind,
        category=KINDS[draft.kind].category, source_event_id=source_event_id,
        dedup_key=dedup_key, facts=draft.facts, status="pending", next_attempt_at=now,
        created_at=now).on_conflict_do_nothing(index_elements=[notifications.c.dedup_key])
        .returning(notifications.c.notification_id))
    return inserted.first() is not None


async def due(connection: AsyncConnection, now: datetime, limit: int) -> list[Row]:
    return list((await connection.execute(DUE, {"now": now, "limit": limit})).all())


async def marketing_sent_since(connection: AsyncConnection, member_id: str,
                               day_start: datetime, now: datetime) -> tuple[int, int]:
    """(sent since `day_start`, sent in the seven days before `now`)."""
    week_start = now - timedelta(days=7)
    row = (await connection.execute(
        select(func.count().filter(notifications.c.sent_at >= day_start),
               func.count().filter(notifications.c.sent_at >= week_start))
        .where(notifications.c.member_id == member_id,
               notifications.c.category == "marketing", notifications.c.status == "sent",
               notifications.c.sent_at >= min(day_start, week_start)))).one()
    return row[0], row[1]


async def update_message(connection: AsyncConnection, notification_id: UUID,
                         **values: Any) -> None:
    await connection.execute(update(notifications)
                             .where(notifications.c.notification_id == notification_id)
                             .values(**values))


async def messages_of(connection: AsyncConnection, member_id: str, after: tuple[datetime, UUID] | None,
                      limit: int) -> list[Row]:
    query = select(notifications).where(notifications.c.member_id == member_id)
    if after is not None:
        key = tuple_(notifications.c.created_at, notifications.c.notification_id)
        query = query.where(key < tuple_(*after))
    return list((await connection.execute(
        query.order_by(notifications.c.created_at.desc(), notifications.c.notification_id.desc())
        .limit(limit + 1))).all())


async def record_receipt(connection: AsyncConnection, channel: str, provider_message_id: str,
                         status: str, error: str | None, at: datetime) -> bool:
    """A provider's delivery receipt for the message it gave `provider_message_id`; False
    if no message went out under that id. A later receipt replaces an earlier one (a
    provider may report `delivered` after a transient `failed`)."""
    found = await connection.execute(
        update(notifications)
        .where(notifications.c.channel == channel,
               notifications.c.provider_message_id == provider_message_id,
               notifications.c.status == "sent")
        .values(receipt_status=status, receipt_error=error, receipt_at=at)
        .returning(notifications.c.notification_id))
    return found.first() is not None
