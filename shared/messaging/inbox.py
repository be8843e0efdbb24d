"""Inbox claims: which events of a batch this consumer has not applied yet.

One INSERT … ON CONFLICT DO NOTHING RETURNING for the whole batch, inside the batch's
transaction: an event id that comes back is ours to apply; one that does not was applied
before (a redelivery) and is skipped. Because the claim commits with the handler's effects,
a crash before commit loses both and the redelivery claims again.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import Table, delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def claim(
    connection: AsyncConnection, inbox: Table, consumer: str, event_ids: Sequence[UUID]
) -> set[UUID]:
    if not event_ids:
        return set()
    statement = (
        insert(inbox)
        .values([{"consumer": consumer, "event_id": event_id} for event_id in set(event_ids)])
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )
    return set((await connection.execute(statement)).scalars())


async def release(connection: AsyncConnection, inbox: Table, consumer: str, event_id: UUID) -> None:
    """Undo a claim for an event that was dead-lettered, so a replay can apply it later."""
    await connection.execute(
        delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
    )
