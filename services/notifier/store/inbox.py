"""The in-app inbox: messages put there on delivery, read by the app with unread counts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import func, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import inbox_messages


async def put(connection: AsyncConnection, message_id: UUID, member_id: str, kind: str,
              subject: str, body: str, now: datetime) -> None:
    await connection.execute(insert(inbox_messages).values(
        message_id=message_id, member_id=member_id, kind=kind, subject=subject, body=body,
        created_at=now).on_conflict_do_nothing())


async def messages(connection: AsyncConnection, member_id: str,
                   after: tuple[datetime, UUID] | None, limit: int) -> list[Row]:
    """Newest first, `limit + 1` rows after the cursor's (created_at, message_id)."""
    query = select(inbox_messages).where(inbox_messages.c.member_id == member_id)
    if after is not None:
        key = tuple_(inbox_messages.c.created_at, inbox_messages.c.message_id)
        query = query.where(key < tuple_(*after))
    return list((await connection.execute(
        query.order_by(inbox_messages.c.created_at.desc(), inbox_messages.c.message_id.desc())
        .limit(limit + 1))).all())


async def unread_count(connection: AsyncConnection, member_id: str) -> int:
    return (await connection.execute(
        select(func.count()).where(inbox_messages.c.member_id == member_id,
                                   inbox_messages.c.read_at.is_(None)))).scalar_one()


async def mark_read(connection: AsyncConnection, member_id: str, message_id: UUID,
                    now: datetime) -> bool:
    """False if the member has no such message; reading twice keeps the first read time."""
    found = await connection.execute(
        update(inbox_messages)
        .where(inbox_messages.c.member_id == member_id, inbox_messages.c.message_id == message_id)
        .values(read_at=func.coalesce(inbox_messages.c.read_at, now))
        .returning(inbox_messages.c.message_id))
    return found.first() is not None
