"""Ops recipients of the scheduled reports: staff, not members, so no member consent
applies; their own unsubscribe link stops the reports (docs/notifier.md, "Scheduled
reports")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import ops_recipients as recipients
from shared.rule_violations import Conflict, NotFound


async def add(db: AsyncConnection, recipient_id: str, email: str, locale: str,
              time_zone: str | None, report_kinds: list[str], now: datetime) -> dict[str, Any]:
    """409 `ops_recipient_exists` if the address is a recipient already."""
    row = (await db.execute(insert(recipients).values(
        recipient_id=recipient_id, email=email, locale=locale, time_zone=time_zone,
        report_kinds=report_kinds, created_at=now)
        .on_conflict_do_nothing(index_elements=[recipients.c.email])
        .returning(*recipients.c))).mappings().first()
    if row is None:
        raise Conflict("ops_recipient_exists", f"{email} already gets the reports.")
    return dict(row)


async def listing(db: AsyncConnection, after: tuple[datetime, str] | None,
                  limit: int) -> list[dict[str, Any]]:
    """Newest first, keyed by (created_at, recipient_id)."""
    query = select(recipients)
    if after is not None:
        created_at, recipient_id = after
        query = query.where(or_(recipients.c.created_at < created_at, and_(
            recipients.c.created_at == created_at, recipients.c.recipient_id < recipient_id)))
    query = query.order_by(recipients.c.created_at.desc(),
                           recipients.c.recipient_id.desc()).limit(limit + 1)
    return [dict(row) for row in (await db.execute(query)).mappings()]


async def remove(db: AsyncConnection, recipient_id: str) -> None:
    """Deletes the address; the deliveries stay as the log of what went out, without it."""
    gone = await db.execute(delete(recipients).where(recipients.c.recipient_id == recipient_id)
                            .returning(recipients.c.recipient_id))
    if gone.first() is None:
        raise NotFound("ops_recipient_not_found", f"No ops recipient {recipient_id}.")


async def unsubscribe(db: AsyncConnection, recipient_id: str, now: datetime) -> None:
    """Stop the reports; the first time counts (a second click changes nothing)."""
    await db.execute(update(recipients).where(recipients.c.recipient_id == recipient_id,
                                              recipients.c.unsubscribed_at.is_(None))
                     .values(unsubscribed_at=now))


async def subscribed_to(db: AsyncConnection, report_kind: str) -> list[str]:
    """The recipients who get reports of this kind and have not unsubscribed."""
    return list((await db.execute(select(recipients.c.recipient_id).where(
        recipients.c.report_kinds.any_() == report_kind,
        recipients.c.unsubscribed_at.is_(None)).order_by(recipients.c.recipient_id))).scalars())
