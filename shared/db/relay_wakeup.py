"""Waking the outbox relay after commit, for hot paths whose transactions must not NOTIFY.

PostgreSQL serialises committing transactions that sent a NOTIFY: `PreCommit_Notify` takes a
database-wide lock and holds it through the commit's WAL flush, so a NOTIFY in every
transaction of a hot path makes those transactions commit one fsync at a time. Such a path
writes its outbox rows with the trigger's NOTIFY switched off (see the wallet's migration
0003) and calls `poke()` once its statement has committed; the NOTIFY goes out on its own,
after that commit, so the relay it wakes sees the row.

Pokes coalesce: the first poke notifies at once; pokes that come while a NOTIFY is on its
way or within `min_interval` of it make one more NOTIFY at the end of that interval. So an
idle system publishes without delay, and under load there are at most a couple of hundred
NOTIFYs a second — each wakes the relay for one publish and one read-and-mark round trip, so fewer
and larger batches cost PostgreSQL and Kafka less per event. If a NOTIFY fails, the relay
still finds the rows at its next poll.
"""

from __future__ import annotations

import asyncio

from shared.db.statement_pool import StatementPool
from shared.structured_logging import get_logger

log = get_logger(__name__)


class RelayWakeup:
    def __init__(self, statements: StatementPool, channel: str, *,
                 min_interval: float = 0.005) -> None:
        self._statements, self._channel, self.min_interval = statements, channel, min_interval
        self._pending = False
        self._notifying: asyncio.Task[None] | None = None

    def poke(self) -> None:
        """Call after a commit that wrote outbox rows without notifying."""
        self._pending = True
        if self._notifying is None or self._notifying.done():
            self._notifying = asyncio.get_running_loop().create_task(self._notify_while_pending())

    async def _notify_while_pending(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            self._pending = False
            sent_at = loop.time()
            try:
                await self._statements.execute("SELECT pg_notify($1, '')", self._channel)
            except Exception as error:  # the relay's poll picks the rows up anyway
                log.warning("relay_wakeup_failed", channel=self._channel, error=repr(error))
                return
            await asyncio.sleep(max(0.0, sent_at + self.min_interval - loop.time()))
