"""Turning events into outbox rows: the one place that knows the row's shape."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Table, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events.cloudevents import header_attributes
from shared.events.dual_production import with_older_versions
from shared.events.envelope import Event
from shared.topics import Topics


def outbox_row(event: Event, topics: Topics,
               trace: Mapping[str, str] | None = None) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "topic": topics.events(event.producer_name),
        "key": event.member_id,
        "ce_type": event.ce_type(),
        "headers": header_attributes(event, trace=trace),
        "payload": event.to_json(),
    }


async def write_to_outbox(
    connection: AsyncConnection, outbox: Table, events: Sequence[Event], topics: Topics,
    handling_traces: Mapping[UUID, Mapping[str, str]] | None = None,
) -> None:
    """One multi-row INSERT for all the events of a transaction. An event caused by one a
    consumer handled carries that handling span's trace (`handling_traces`, by event id);
    any other, the current span's (the request's). An event in dual production is
    followed by its older version's copy (shared/events/dual_production.py)."""
    traces = handling_traces or {}
    if events:
        await connection.execute(insert(outbox), [
            outbox_row(e, topics, traces.get(e.causation_id) if e.causation_id else None)
            for e in with_older_versions(events)])


# Both reads use the partial index of unpublished rows; the oldest row is the first by
# position, since a row's position and its created_at grow together.
BACKLOG = text("""
    SELECT (SELECT count(*) FROM outbox WHERE published_at IS NULL) AS waiting,
           coalesce(extract(epoch FROM now() - (
             SELECT created_at FROM outbox WHERE published_at IS NULL
             ORDER BY position LIMIT 1)), 0)::float8 AS oldest_seconds
""")


async def outbox_backlog(connection: AsyncConnection) -> tuple[int, float]:
    """(rows not yet published, age in seconds of the oldest of them or 0)."""
    row = (await connection.execute(BACKLOG)).one()
    return int(row.waiting), max(float(row.oldest_seconds), 0.0)
