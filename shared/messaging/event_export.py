"""Replaying stored events for a new subscriber (`patronage events export`).

Where they come from: the services' outbox tables, which keep every published row
(`published_at` set) until `patronage prune --outbox-days` deletes it (docs/messaging.md,
Retention). The outbox already is an archive, with a retention setting, of exactly what
each topic was sent (headers and value as the relay published them), in the order it was
sent, so the export needs no second store and no broker: nothing is published, no
consumer group is joined, existing subscribers see nothing. Its depth is the outbox
retention, which a deployment that promises longer history raises.

Order: each service's rows in `position` order (the order its topic received them, so one
member's events of one topic keep their order), the services merged by `created_at` (when
the event's transaction began: an event caused by another is written after its cause
committed). Only rows published before the export began are read, so it ends even while
the platform keeps writing.
"""

from __future__ import annotations

import heapq
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from shared.events.structured_mode import structured_event

PAGE = 1_000
# ce_time is stored as RFC 3339 text in the headers; the filters compare it as a moment.
READ_PAGE = """
    SELECT position, created_at, headers::text AS headers, payload
    FROM outbox
    WHERE position > $1 AND position <= $2 AND published_at IS NOT NULL
      AND (headers->>'ce_time')::timestamptz >= $3
      AND ($4::timestamptz IS NULL OR (headers->>'ce_time')::timestamptz < $4)
      AND ($5::text[] IS NULL OR ce_type = ANY($5) OR split_part(ce_type, '.', 3) = ANY($5))
      AND ($6::text[] IS NULL OR key = ANY($6))
    ORDER BY position LIMIT $7
"""


@dataclass(frozen=True)
class ExportFilter:
    since: datetime
    until: datetime | None = None
    # an event name (any version: `RechargeCompleted`) or a ce_type (`...RechargeCompleted.v1`)
    types: Sequence[str] | None = None
    members: Sequence[str] | None = None


@dataclass(frozen=True)
class ExportedEvent:
    schema: str
    created_at: datetime
    event: dict[str, Any]  # CloudEvents structured mode (shared/events/structured_mode.py)

    def line(self) -> bytes:
        return orjson.dumps(self.event) + b"\n"


async def _schema_rows(connection: asyncpg.Connection, schema: str,
                       wanted: ExportFilter) -> AsyncIterator[ExportedEvent]:
    last = await connection.fetchval("SELECT coalesce(max(position), 0) FROM outbox")
    after = 0
    while True:
        rows = await connection.fetch(
            READ_PAGE, after, last, wanted.since, wanted.until,
            list(wanted.types) if wanted.types else None,
            list(wanted.members) if wanted.members else None, PAGE)
        for row in rows:
            yield ExportedEvent(schema, row["created_at"],
                                structured_event(orjson.loads(row["headers"]), row["payload"]))
        if len(rows) < PAGE:
            return
        after = rows[-1]["position"]


async def _with_outbox(connection: asyncpg.Connection, schema: str) -> bool:
    return bool(await connection.fetchval(
        "SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = 'outbox'", schema))


async def export_events(dsn: str, schemas: Sequence[str],
                        wanted: ExportFilter) -> AsyncIterator[ExportedEvent]:
    """Every matching published event of `schemas`' outboxes, in the order above."""
    connections = [await asyncpg.connect(dsn, server_settings={"search_path": schema})
                   for schema in schemas]
    try:
        streams = [_schema_rows(c, s, wanted) for c, s in zip(connections, schemas, strict=True)
                   if await _with_outbox(c, s)]
        heads: list[tuple[datetime, int, int, ExportedEvent]] = []
        serial = 0  # ties on created_at go to the stream pushed first: heapq never compares events

        async def advance(index: int) -> None:
            nonlocal serial
            following = await anext(streams[index], None)
            if following is not None:
                serial += 1
                heapq.heappush(heads, (following.created_at, serial, index, following))

        for index in range(len(streams)):
            await advance(index)
        while heads:
            _, _, index, exported = heapq.heappop(heads)
            yield exported
            await advance(index)
    finally:
        for connection in connections:
            await connection.close()
