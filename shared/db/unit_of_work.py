"""The unit of work: one database transaction plus the events it will publish.

Handlers and routes do their writes on `uow.connection` and hand events to `uow.emit`; the
events reach the outbox in the same transaction, so an event is published if and only if
the business change committed. Handlers never talk to Kafka.

`savepoint()` lets a batch consumer isolate one message inside the batch transaction: if
the handler fails, its writes and the events it emitted are both undone.

`after_commit(callback)` runs a callback once the transaction has committed (never for a
rolled-back transaction or savepoint): a metric counts what really happened, not what a
batch that was then redone event by event tried.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.clock import Clock, SystemClock
from shared.db.outbox import write_to_outbox
from shared.events.envelope import Event
from shared.topics import Topics


@dataclass
class UnitOfWork:
    connection: AsyncConnection
    outbox: Table
    topics: Topics
    clock: Clock = field(default_factory=SystemClock)
    pending: list[Event] = field(default_factory=list)
    committed_callbacks: list[Callable[[], None]] = field(default_factory=list)
    # incoming event id -> its handling span's trace headers (set by the consumer), so the
    # events a handler emits continue the trace of the event that caused them
    handling_traces: dict[UUID, dict[str, str]] = field(default_factory=dict)

    def emit(self, event: Event) -> None:
        self.pending.append(event)

    def after_commit(self, callback: Callable[[], None]) -> None:
        self.committed_callbacks.append(callback)

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        mark, callbacks_mark = len(self.pending), len(self.committed_callbacks)
        nested = await self.connection.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            del self.pending[mark:]
            del self.committed_callbacks[callbacks_mark:]
            raise
        await nested.commit()

    async def flush_events(self) -> None:
        await write_to_outbox(self.connection, self.outbox, self.pending, self.topics,
                              self.handling_traces)
        self.pending.clear()


@dataclass(frozen=True)
class UnitOfWorkFactory:
    """Opens a transaction; commits it with the outbox rows, or rolls back on error."""

    engine: AsyncEngine
    outbox: Table
    topics: Topics
    clock: Clock = field(default_factory=SystemClock)

    @asynccontextmanager
    async def __call__(self) -> AsyncIterator[UnitOfWork]:
        async with self.engine.begin() as connection:
            uow = UnitOfWork(connection, self.outbox, self.topics, self.clock)
            yield uow
            await uow.flush_events()
        for callback in uow.committed_callbacks:
            callback()

