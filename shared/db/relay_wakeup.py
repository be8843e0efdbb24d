"""Waking the outbox relay after commit, for hot paths whose transactions must not NOTIFY.

PostgreSQL serialises committing transactions that sent a NOTIFY: `PreCommit_Notify` takes a
database-wide lock and holds it through the commit's WAL flush, so a NOTIFY in every
transaction of a hot path makes those transactions commit one fsync at a time. Such a path
writes its outbox rows with the trigger's NOTIFY switched off (see the wallet's migration
0003) and calls `poke()` once its statement has committed; the NOTIFY goes out on its own,
after that commit, so the relay it wakes sees the row.

Pokes coalesce: while one NOTIFY is on its way, any number of pokes make one more, so under
load there is about one NOTIFY per round trip, not one per request. If a NOTIFY fails, the
relay still finds the rows at its next poll.
"""

from __future__ import annotations

import asyncio

from shared.db.statement_pool import StatementPool
from shared.structured_logging import get_logger

log = get_logger(__name__)


class RelayWakeup:
    def __init__(self, statements: StatementPool, channel: str) -> None:
        self._statements, self._channel = statements, channel
        self._pending = False
        self._notifying: asyncio.Task[None] | None = None

    def poke(self) -> None:
        """Call after a commit that wrote outbox rows without notifying."""
        self._pending = True
        if self._notifying is None or self._notifying.done():
            self._notifying = asyncio.get_running_loop().create_task(self._notify_while_pending())

    async def _notify_while_pending(self) -> None:
        while self._pending:
            self._pending = False
            try:
                await self._statements.execute("SELECT pg_notify($1, '')", self._channel)
            except Exception as error:  # the relay's poll picks the rows up anyway
                log.warning("relay_wakeup_failed", channel=self._channel, error=repr(error))
                return
