"""The outbox relay: the only code that publishes a service's events.

One relay per service is leader at a time (a session-level advisory lock on a dedicated
connection; if that connection dies the lock goes with it and a standby takes over). It is
woken by the outbox trigger's NOTIFY and also polls, so a lost notification costs at most
`poll_interval`. It publishes rows in `position` order with an idempotent producer and
marks them published only after every message of the batch is acknowledged.

Order under failure: if any send fails the publisher is thrown away and the batch is sent
again from its first unpublished row by a fresh producer. The idempotent producer's
sequence numbers stop a later message of a partition from landing before an earlier failed
one, so a key's events are never reordered; they may be duplicated, which the consumers'
inbox absorbs.
"""

from __future__ import annotations

import asyncio
import zlib

import asyncpg
import orjson

from shared.db.messaging_tables import notify_channel
from shared.messaging.metrics import EVENTS_PUBLISHED, PUBLISH_FAILURES
from shared.messaging.outage_log import OutageLog
from shared.messaging.records import OutgoingMessage, Publisher

FETCH_UNPUBLISHED = """
    SELECT position, topic, key, headers::text AS headers, payload
    FROM outbox WHERE published_at IS NULL ORDER BY position LIMIT $1
"""
MARK_PUBLISHED = "UPDATE outbox SET published_at = now() WHERE position = ANY($1::bigint[])"
# The mark of the batch just acknowledged and the read of the next, in one round trip. Both
# parts see the same snapshot, so the read skips the rows being marked by their positions.
MARK_AND_FETCH_NEXT = """
    WITH marked AS (
      UPDATE outbox SET published_at = now() WHERE position = ANY($1::bigint[])
    )
    SELECT position, topic, key, headers::text AS headers, payload
    FROM outbox WHERE published_at IS NULL AND position <> ALL($1::bigint[])
    ORDER BY position LIMIT $2
"""
RECORD_FAILURE = """
    UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE position = ANY($1::bigint[])
"""


def leader_lock_key(schema: str) -> int:
    return zlib.crc32(f"patronage.outbox-relay.{schema}".encode())


def _to_message(row: asyncpg.Record) -> OutgoingMessage:
    headers = tuple((name, value.encode()) for name, value in orjson.loads(row["headers"]).items())
    return OutgoingMessage(row["position"], row["topic"], row["key"], headers, row["payload"])


class OutboxRelay:
    def __init__(
        self,
        dsn: str,
        schema: str,
        publisher: Publisher,
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        max_backoff: float = 5.0,
        stalled_after: float = 5.0,
    ) -> None:
        self._dsn, self._schema, self._publisher = dsn, schema, publisher
        self._batch_size, self._poll_interval, self._max_backoff = (
            batch_size, poll_interval, max_backoff,
        )
        self._wake = asyncio.Event()
        self._stalled_after = stalled_after
        self.is_leader = False
        self.published_count = 0
        self.failed_batches = 0
        # One line when the broker stops taking sends and one when it takes them again;
        # likewise for whatever else stops the relay (its database, mostly).
        self.broker = OutageLog("broker_unavailable", "broker_available", service=schema,
                                component="relay")
        self.errors = OutageLog("outbox_relay_error", "outbox_relay_resumed", schema=schema)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._lead(stop)
            except Exception as error:  # keep relaying whatever broke: DB restart, network
                self.errors.failed(error)
                await _sleep_or_stop(stop, self._poll_interval)

    async def _lead(self, stop: asyncio.Event) -> None:
        # synchronous_commit off: marking rows published need not wait for the WAL flush.
        # A mark lost in a database crash only means those rows are published again, which
        # the consumers' inbox absorbs; the flush saved is on every hop of every event.
        connection = await asyncpg.connect(self._dsn, server_settings={
            "search_path": self._schema, "synchronous_commit": "off"})
        self.errors.recovered()
        try:
            while not await connection.fetchval(
                "SELECT pg_try_advisory_lock($1)", leader_lock_key(self._schema)
            ):
                if await _sleep_or_stop(stop, self._poll_interval):
                    return
            self.is_leader = True
            await connection.add_listener(notify_channel(self._schema), self._on_notify)
            try:
                await self._publish_until_stopped(connection, stop)
            finally:
                await self._publisher.stop()
        finally:
            self.is_leader = False
            await connection.close()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _publish_until_stopped(self, connection: asyncpg.Connection, stop: asyncio.Event) -> None:
        backoff = 0.1
        published: list[int] = []  # acknowledged by Kafka, not yet marked in the outbox
        while not stop.is_set():
            self._wake.clear()
            if published:  # mark them and read the next batch in one round trip
                rows = await connection.fetch(MARK_AND_FETCH_NEXT, published, self._batch_size)
                published = []
            else:
                rows = await connection.fetch(FETCH_UNPUBLISHED, self._batch_size)
            if not rows:
                await self._wait_for_work(stop)
                continue
            messages = [_to_message(row) for row in rows]
            positions = [m.position for m in messages]
            try:
                await self._publish(messages)
            except Exception as error:  # any send failure: new producer, same batch again
                self.broker.failed(error, batch=len(messages), retry_in=backoff)
                PUBLISH_FAILURES.labels(self._schema).inc()
                self.failed_batches += 1
                await connection.execute(RECORD_FAILURE, positions, repr(error)[:2000])
                await self._publisher.stop()
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, self._max_backoff)
                continue
            self.broker.recovered()
            backoff = 0.1
            published = positions
            self.published_count += len(messages)
            EVENTS_PUBLISHED.labels(self._schema).inc(len(messages))
        if published:
            await connection.execute(MARK_PUBLISHED, published)

    async def _publish(self, messages: list[OutgoingMessage]) -> None:
        """The idempotent producer never gives up on a batch: while the broker is away a
        send just waits. A send unanswered for `stalled_after` seconds is the start of an
        outage (logged once); its acknowledgement, whenever it comes, is the end."""
        sending = asyncio.ensure_future(self._publisher.publish(messages))
        done, _ = await asyncio.wait({sending}, timeout=self._stalled_after)
        if not done:
            self.broker.failed(TimeoutError(
                f"no acknowledgement from the broker in {self._stalled_after:.0f}s"),
                batch=len(messages))
        await sending

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        stopper = asyncio.ensure_future(stop.wait())
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stopper, waker}, timeout=self._poll_interval,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
            waker.cancel()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep, returning early (True) if asked to stop."""
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True
