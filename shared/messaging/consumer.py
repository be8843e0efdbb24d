"""The idempotent consumer engine, the same over Kafka and over the in-process bus.

For each fetched batch:
1. decode every message of a type the service handles (the `ce_type` header says which; the
   others are skipped unparsed); one that cannot be decoded is poison and goes to the dead
   letters, as does one whose type is not in the catalog;
2. in ONE transaction: claim the batch's event ids in the inbox, run each new event's
   handlers (a type wired to a batch handler gets all its new events in one call, member
   order kept: see batches.py), write the events the handlers emitted to the outbox,
   commit. Should a handler fail, that transaction is rolled back and the batch redone
   with a savepoint per event: the failing event is retried with backoff and, after
   `max_attempts`, its savepoint is rolled back, its claim released and the message
   dead-lettered;
3. send the dead letters, then commit the offsets.

A crash anywhere before step 3 redelivers the batch; the inbox makes that harmless.
Infrastructure errors (database or broker unreachable) never dead-letter anything: the
whole batch is rewound and retried, with backoff, until the infrastructure is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast
from uuid import UUID

import structlog
from opentelemetry.context import Context
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from shared.events.card_numbers import CardNumberRefused, refuse_card_numbers_in_json
from shared.events.catalog import UnknownEventType, event_class_for
from shared.events.dual_production import claim_id
from shared.events.envelope import Event
from shared.messaging import inbox
from shared.messaging.batches import BatchHandler, in_waves, is_batched
from shared.messaging.metrics import EVENTS_CONSUMED
from shared.messaging.outage_log import OutageLog
from shared.messaging.records import DeadLetterSink, IncomingMessage, MessageSource, PartitionKey
from shared.structured_logging import get_logger
from shared.tracing import (
    TRACEPARENT_HEADER,
    TRACESTATE_HEADER,
    handling,
    handling_batch,
    parent_context,
    recording,
    trace_headers,
)

log = get_logger(__name__)

Handler = Callable[[Event, UnitOfWork], Awaitable[None]]
HandlerMap = Mapping[type[Event], Sequence[Handler]]
# CardNumberRefused: an event carrying a card number (published before the guard) is
# parked in the dead-letter topic rather than passed on to a handler.
POISON_ON_DECODE = (UnknownEventType, ValidationError, ValueError, CardNumberRefused)


def is_infrastructure_error(error: BaseException) -> bool:
    if isinstance(error, (OperationalError, InterfaceError, ConnectionError, OSError)):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    batches: int = 0


@dataclass
class EventConsumer:
    name: str
    source: MessageSource
    dead_letters: DeadLetterSink
    handlers: HandlerMap
    uow_factory: UnitOfWorkFactory
    inbox_table: Table
    max_attempts: int = 3
    retry_delay: float = 0.05
    # Under a backlog, bigger batches amortise the per-batch costs (commit, offsets, the
    # batch handlers' statements); a quiet topic still yields small batches at once.
    max_batch: int = 2000
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    # the batch being processed: event id -> the trace context its message carried
    _trace_parents: dict[UUID, Context] = field(default_factory=dict, init=False, repr=False)

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set. A failed batch is never skipped: the source is
        rewound to the committed offsets (retrying the rewind itself until it succeeds)."""
        await self.source.start()
        delay, needs_rewind = self.retry_delay, False
        # A broker or database away fails batch after batch: one line when it starts
        # failing, one when a batch goes through again, not one per retry.
        failing = OutageLog("consumer_batch_failed", "consumer_recovered", consumer=self.name)
        try:
            while not stop.is_set():
                try:
                    if needs_rewind:
                        await self.source.rewind()
                        needs_rewind = False
                    messages = await self.source.fetch(timeout=0.5, max_records=self.max_batch)
                    if messages:
                        await self.process(messages)
                    failing.recovered()
                    delay = self.retry_delay
                except Exception as error:
                    needs_rewind = True
                    failing.failed(error, retry_in=delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
        finally:
            await self.source.stop()

    async def process(self, messages: Sequence[IncomingMessage]) -> None:
        dead: list[tuple[IncomingMessage, BaseException, int]] = []
        decoded: list[tuple[IncomingMessage, Event]] = []
        parents: dict[UUID, Context] = {}
        for message in messages:
            try:
                ce_type, traceparent, tracestate = _routing_headers(message.headers)
                if ce_type is None:
                    raise UnknownEventType("message has no ce_type header")
                kind = event_class_for(ce_type)
                if kind not in self.handlers:
                    continue  # a type this service does not handle: no need to parse it
                refuse_card_numbers_in_json(message.value, kind.__name__)
                event = kind.model_validate_json(message.value)
            except POISON_ON_DECODE as error:
                dead.append((message, error, 1))
                continue
            decoded.append((message, event))
            if (parent := parent_context(traceparent, tracestate)) is not None:
                parents[event.event_id] = parent
        self._trace_parents = parents

        outcome = await self._apply_batch(decoded) if decoded else BatchOutcome()
        dead.extend((message, error, self.max_attempts) for message, error in outcome.failed)
        for message, error, attempts in dead:
            await self.dead_letters.send(message, error, attempts)
            log.error("event_dead_lettered", consumer=self.name, topic=message.topic,
                      offset=message.offset, error=repr(error))
        await self.source.commit(_next_offsets(messages))
        self._count(outcome.applied, outcome.duplicates, len(dead))

    async def _apply_batch(self, decoded: list[tuple[IncomingMessage, Event]]) -> BatchOutcome:
        """Fast path: the whole batch in one transaction without savepoints. Only if a
        handler fails is the batch rolled back and redone with a savepoint per event, so
        the failing event can be retried and dead-lettered alone."""
        try:
            return await self._in_transaction(decoded, isolate=False)
        except _HandlerFailed:
            return await self._in_transaction(decoded, isolate=True)

    async def _in_transaction(
        self, decoded: list[tuple[IncomingMessage, Event]], *, isolate: bool
    ) -> BatchOutcome:
        outcome = BatchOutcome()
        async with self.uow_factory() as uow:
            # claim_id: an event's own id, but one shared by the two versions of a fact in
            # dual production, so a consumer handling both applies it once
            claimed = await inbox.claim(
                uow.connection, self.inbox_table, self.name, [claim_id(e) for _, e in decoded]
            )
            new: list[tuple[IncomingMessage, Event]] = []
            for message, event in decoded:
                if claim_id(event) not in claimed:
                    outcome.duplicates += 1
                    continue
                claimed.discard(claim_id(event))
                new.append((message, event))
            if not isolate:
                await self._apply_unguarded([event for _, event in new], uow)
                outcome.applied += len(new)
                return outcome
            for message, event in new:
                failure = await self._apply_isolated(event, uow)
                if failure is None:
                    outcome.applied += 1
                else:
                    await inbox.release(uow.connection, self.inbox_table, self.name,
                                        claim_id(event))
                    outcome.failed.append((message, failure))
        return outcome

    async def _apply_unguarded(self, events: list[Event], uow: UnitOfWork) -> None:
        """Every new event of the batch, batched types in groups (batches.in_waves)."""
        try:
            for group in in_waves(events, lambda kind: is_batched(self.handlers[kind])):
                if len(group) == 1:
                    await self._run_handlers(group[0], uow)
                else:
                    await self._run_batch_handlers(group, uow)
        except Exception as error:
            if is_infrastructure_error(error):
                raise
            raise _HandlerFailed() from error

    async def _apply_isolated(self, event: Event, uow: UnitOfWork) -> BaseException | None:
        """Run the event's handlers in a savepoint, retried with backoff; the last error
        if every attempt failed."""
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with uow.savepoint():
                    await self._run_handlers(event, uow)
                return None
            except Exception as error:
                if is_infrastructure_error(error):
                    raise
                log.warning("handler_failed", consumer=self.name, attempt=attempt,
                            event_type=event.event_type, event_id=str(event.event_id),
                            error=repr(error))
                if attempt == self.max_attempts:
                    return error
                await asyncio.sleep(self.retry_delay * 2 ** (attempt - 1))
        return None

    async def _run_handlers(self, event: Event, uow: UnitOfWork) -> None:
        with handling(self.name, event.event_type,
                      self._trace_parents.get(event.event_id)) as span, \
                structlog.contextvars.bound_contextvars(
                    event_id=str(event.event_id), member_id=event.member_id,
                    correlation_id=str(event.correlation_id or event.event_id)):
            if trace := trace_headers(span):
                uow.handling_traces[event.event_id] = trace
            for handler in self.handlers[type(event)]:
                await handler(event, uow)

    async def _run_batch_handlers(self, events: list[Event], uow: UnitOfWork) -> None:
        # Without a tracing SDK a span is recorded nowhere and one without a parent carries
        # no context to pass on: only events that came with a trace context get a span
        # (≈ 10 % of a drain's CPU went to spans and headers that were always empty).
        traced = events if recording() else [
            event for event in events if event.event_id in self._trace_parents]
        parents = [self._trace_parents.get(event.event_id) for event in traced]
        with handling_batch(self.name, events[0].event_type, parents) as spans, \
                structlog.contextvars.bound_contextvars(
                    event_type=events[0].event_type, batch_size=len(events)):
            for event, span in zip(traced, spans, strict=True):
                if trace := trace_headers(span):
                    uow.handling_traces[event.event_id] = trace
            for handler in self.handlers[type(events[0])]:
                await cast(BatchHandler, handler).apply(events, uow)

    def _count(self, applied: int, duplicates: int, dead_lettered: int) -> None:
        self.stats.applied += applied
        self.stats.duplicates += duplicates
        self.stats.dead_lettered += dead_lettered
        self.stats.batches += 1
        for outcome, count in (("applied", applied), ("duplicate", duplicates),
                               ("dead_lettered", dead_lettered)):
            if count:
                EVENTS_CONSUMED.labels(self.name, outcome).inc(count)


class _HandlerFailed(Exception):
    """A handler failed on the fast path; the batch is redone event by event."""


@dataclass
class BatchOutcome:
    applied: int = 0
    duplicates: int = 0
    failed: list[tuple[IncomingMessage, BaseException]] = field(default_factory=list)


CE_TYPE = "ce_type"


def _routing_headers(headers: Sequence[tuple[str, bytes | str]]
                     ) -> tuple[str | None, str | None, str | None]:
    """ce_type, traceparent and tracestate in one pass over the headers (the last repeat
    wins, as in header_value): three passes cost a consumer ≈ 2 µs an event."""
    ce_type: bytes | str | None = None
    traceparent: bytes | str | None = None
    tracestate: bytes | str | None = None
    for name, value in headers:
        if name == CE_TYPE:
            ce_type = value
        elif name == TRACEPARENT_HEADER:
            traceparent = value
        elif name == TRACESTATE_HEADER:
            tracestate = value
    return _text(ce_type), _text(traceparent), _text(tracestate)


def _text(value: bytes | str | None) -> str | None:
    return value.decode() if isinstance(value, bytes) else value


def _next_offsets(messages: Sequence[IncomingMessage]) -> dict[PartitionKey, int]:
    offsets: dict[PartitionKey, int] = {}
    for message in messages:
        offsets[message.partition_key] = max(
            offsets.get(message.partition_key, 0), message.offset + 1
        )
    return offsets
