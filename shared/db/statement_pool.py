"""A small pool of raw asyncpg connections for hot paths that are ONE statement in
autocommit (e.g. the wallet's recharge, a stored function call).

Why not the SQLAlchemy engine there: each checkout goes through the greenlet bridge, pool
events and an isolation-level switch, and when more requests are in flight than the
engine's pool holds, overflow connections are opened and closed per request (a PostgreSQL
backend forked each time). Here the connections are opened once and kept; asyncpg prepares
each statement once per connection and reuses it.

Connections are handed back without asyncpg's default reset (`RESET ALL; UNLISTEN *;
CLOSE ALL; pg_advisory_unlock_all()`), which would be a second round trip per request:
statements run here change no session state — they hold no cursors, listen to nothing and
take only transaction-scoped advisory locks. asyncpg still rolls back a transaction left
open and closes a connection whose statement was interrupted.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from shared.db.engine import plain_url


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The pool's reset hook: nothing to undo (see the module docstring)."""


class StatementPool:
    """Opened by the service runtime at start, closed at stop."""

    def __init__(self, url: str, schema: str, *, size: int = 8) -> None:
        self._dsn, self._schema, self.size = plain_url(url), schema, size
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        if self._pool is None:
            self._pool = await asyncpg.create_pool(
                self._dsn, min_size=self.size, max_size=self.size, reset=_keep_session,
                server_settings={"search_path": self._schema},
            )

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the statement pool opens with the service (ServiceRuntime.start)")
        return self._pool

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        return await self.pool.fetchrow(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        return await self.pool.execute(query, *args)
