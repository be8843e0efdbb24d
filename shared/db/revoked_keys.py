"""Each service's projection of revoked terminal keys: the table, the handler's write, and
the read the runtime copies into memory (`shared/http/revoked_keys.py`).

The wallet owns the registry (`terminal_keys`, which has the same `key_id`, `revoked_at`
and `expires_at` columns, so `load_revocations` reads it too); every other service records
the wallet's `TerminalKeyRevoked` events in its own `revoked_terminal_keys`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, MetaData, Table, Text, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.events.wallet import TerminalKeyRevoked
from shared.jobs import PeriodicJob, periodic
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


def define_revoked_keys_table(metadata: MetaData) -> Table:
    return Table(
        "revoked_terminal_keys", metadata,
        Column("key_id", Text, primary_key=True),
        Column("store_id", Text, nullable=False),
        Column("terminal_id", Text, nullable=False),
        Column("revoked_at", DateTime(timezone=True), nullable=False),
        Column("expires_at", DateTime(timezone=True), nullable=False),
        Index("ix_revoked_terminal_keys_expires_at", "expires_at"),
    )


async def record_revocation(db: AsyncConnection, table: Table, event: TerminalKeyRevoked) -> None:
    """Idempotent; of two revocations of one key the earlier moment wins (an emergency
    revocation during a rotation's overlap is not undone by the overlap's end)."""
    row = {"key_id": event.key_id, "store_id": event.store_id, "terminal_id": event.terminal_id,
           "revoked_at": event.revoked_at, "expires_at": event.expires_at}
    statement = insert(table).values(row)
    await db.execute(statement.on_conflict_do_update(
        index_elements=[table.c.key_id],
        set_={"revoked_at": func.least(table.c.revoked_at, statement.excluded.revoked_at)}))


async def load_revocations(engine: AsyncEngine, table: Table, now: datetime) -> dict[str, float]:
    """Every revoked key that has not expired yet (an expired one is refused by its `exp`),
    as key id -> the epoch second it stops working."""
    query = select(table.c.key_id, table.c.revoked_at).where(
        table.c.revoked_at.is_not(None), table.c.expires_at > now)
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {key_id: revoked_at.timestamp() for key_id, revoked_at in rows}


def key_revocations_job(context: ServiceContext, table: Table) -> PeriodicJob:
    """Copies the projection into `context.revoked_keys` every few seconds: the worst-case
    delay before a revocation bites here is this service's consumer lag plus one interval.

    A round that cannot read (the database is down) keeps the last list and is logged once
    when the failures begin and once when a read succeeds again, not every two seconds."""
    failing = False

    async def refresh() -> None:
        nonlocal failing
        try:
            revoked = await load_revocations(context.engine, table, context.clock.now())
        except Exception as error:
            if not failing:
                log.warning("key_revocations_stale", service=context.name, error=repr(error))
            failing = True
            return
        context.revoked_keys.replace(revoked)
        if failing:
            log.info("key_revocations_fresh", service=context.name, revoked=len(revoked))
        failing = False

    return periodic("key_revocations", context.platform.key_revocation_refresh_seconds, refresh)
