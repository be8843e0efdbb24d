"""Inbox claims: which events of a batch this consumer has not applied yet.

One INSERT … ON CONFLICT DO NOTHING RETURNING for the whole batch, inside the batch's
transaction: an event id that comes back is ours to apply; one that does not was applied
before (a redelivery) and is skipped. Because the claim commits with the handler's effects,
a crash before commit loses both and the redelivery claims again.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from uuid import UUID

from sqlalchemy import ARRAY, Executable, Table, Text, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection


@cache
def _claim_statement(inbox: Table) -> Executable:
    """The ids travel as one uuid[] parameter: a multi-row VALUES of hundreds of rows cost
    SQLAlchemy more to build and compile (never cached) than the database took to run it.
    Built once per inbox table: building it and its cache key on every batch cost a
    consumer about as much as the claim's round trip (py-spy, bonus loop at 200/s)."""
    ids = func.unnest(bindparam("event_ids", type_=ARRAY(PG_UUID(as_uuid=True))))
    claimed = select(bindparam("consumer", type_=Text), ids)
    return (
        insert(inbox)
        .from_select(["consumer", "event_id"], claimed)
        .on_conflict_do_nothing()
        .returning(inbox.c.event_id)
    )


async def claim(
    connection: AsyncConnection, inbox: Table, consumer: str, event_ids: Sequence[UUID]
) -> set[UUID]:
    if not event_ids:
        return set()
    parameters = {"consumer": consumer, "event_ids": list(set(event_ids))}
    return set((await connection.execute(_claim_statement(inbox), parameters)).scalars())


async def release(connection: AsyncConnection, inbox: Table, consumer: str, event_id: UUID) -> None:
    """Undo a claim for an event that was dead-lettered, so a replay can apply it later."""
    await connection.execute(
        delete(inbox).where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
    )
