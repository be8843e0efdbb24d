"""Turning events into outbox rows: the one place that knows the row's shape."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events.cloudevents import header_attributes
from shared.events.envelope import Event
from shared.topics import Topics


def outbox_row(event: Event, topics: Topics) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "topic": topics.events(event.producer_name),
        "key": event.member_id,
        "ce_type": event.ce_type(),
        "headers": header_attributes(event),
        "payload": event.to_json(),
    }


async def write_to_outbox(
    connection: AsyncConnection, outbox: Table, events: Sequence[Event], topics: Topics
) -> None:
    """One multi-row INSERT for all the events of a transaction."""
    if events:
        await connection.execute(insert(outbox), [outbox_row(e, topics) for e in events])
