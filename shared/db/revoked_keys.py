"""Each service's projection of revoked terminal keys: the table, the handler's write, and
the read the runtime copies into memory (`shared/http/revoked_keys.py`).

The wallet owns the registry (`terminal_keys`, which has the same `key_id`, `revoked_at`
and `expires_at` columns, so `load_revocations` reads it too); every other service records
the wallet's `TerminalKeyRevoked` events in its own `revoked_terminal_keys`.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime

import asyncpg
from sqlalchemy import Column, DateTime, Index, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.db.engine import plain_url
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


async def load_revocations(db: asyncpg.Connection, table: Table, now: datetime) -> dict[str, float]:
    """Every revoked key that has not expired yet (an expired one is refused by its `exp`),
    as key id -> the epoch second it stops working."""
    # the table's name is one of ours, never input
    rows = await db.fetch(f"SELECT key_id, revoked_at FROM {table.name} "
                          "WHERE revoked_at IS NOT NULL AND expires_at > $1", now)
    return {row["key_id"]: row["revoked_at"].timestamp() for row in rows}


def key_revocations_job(context: ServiceContext, table: Table) -> PeriodicJob:
    """Copies the projection into `context.revoked_keys` every few seconds: the worst-case
    delay before a revocation bites here is this service's consumer lag plus one interval.

    It reads on a connection of its own, like the outbox relay: never one of the requests'
    pool (a busy pool would delay it, and it would take a request's slot), and never a
    statement on the engine while a request runs (the recharge path's is none at all).
    A round that cannot read (the database is down) keeps the last list and is logged once
    when the failures begin and once when a read succeeds again, not every two seconds."""
    refresher = _Refresher(context, table)
    return periodic("key_revocations", context.platform.key_revocation_refresh_seconds,
                    refresher.refresh, on_stop=refresher.close)


class _Refresher:
    def __init__(self, context: ServiceContext, table: Table) -> None:
        self.context, self.table = context, table
        self.db: asyncpg.Connection | None = None
        self.failing = False

    async def refresh(self) -> None:
        context = self.context
        try:
            if self.db is None:
                self.db = await asyncpg.connect(plain_url(context.platform.database_url),
                                                server_settings={"search_path": context.name})
            revoked = await load_revocations(self.db, self.table, context.clock.now())
        except Exception as error:
            await self.close()
            if not self.failing:
                log.warning("key_revocations_stale", service=context.name, error=repr(error))
            self.failing = True
            return
        context.revoked_keys.replace(revoked)
        if self.failing:
            log.info("key_revocations_fresh", service=context.name, revoked=len(revoked))
        self.failing = False

    async def close(self) -> None:
        db, self.db = self.db, None
        if db is not None:
            with suppress(Exception):
                await db.close(timeout=5)
