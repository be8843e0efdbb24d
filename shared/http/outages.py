"""A database outage answered as 503 + `Retry-After`, logged once per change of state.

Without this every request during an outage was a 500 with its own traceback in the log.
Now a request that fails because PostgreSQL cannot be reached (refused, reset, shutting
down, a connection lost mid-query, a pool that cannot hand one out) gets 503 problem+json
`service_unavailable` with `Retry-After`, and the service logs `database_unavailable` once
when the outage begins and `database_available` once when a new connection succeeds again.
"""

from __future__ import annotations

from collections.abc import Iterator

import asyncpg
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.structured_logging import get_logger

log = get_logger(__name__)
RETRY_AFTER_SECONDS = 5

# asyncpg's connection-class errors (SQLSTATE 08...), the server shutting down or starting
# (57P...), no connection slot left (53300), and the OS refusing or dropping the socket.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError, asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError, asyncpg.TooManyConnectionsError, exc.DisconnectionError,
    exc.TimeoutError, OSError,
)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps (SQLAlchemy's `.orig`, `__cause__`, `__context__`)."""
    seen: set[int] = set()
    pending = [error]
    while pending and len(seen) < 20:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending += [e for e in (getattr(current, "orig", None), current.__cause__,
                                current.__context__) if isinstance(e, BaseException)]


def is_database_outage(error: BaseException) -> bool:
    return any(isinstance(e, OUTAGE_ERRORS)
               or (isinstance(e, exc.DBAPIError) and e.connection_invalidated)
               for e in _causes(error))


class DatabaseOutage:
    """Whether the service's database is down, as its requests found it."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.down = False

    def watch(self, engine: AsyncEngine) -> None:
        """A new connection that succeeds ends an outage."""
        event.listen(engine.sync_engine, "connect", lambda *_: self.recovered())

    def failed(self, error: BaseException) -> None:
        if not self.down:
            self.down = True
            log.warning("database_unavailable", service=self.service,
                        error_type=type(error).__name__)

    def recovered(self) -> None:
        if self.down:
            self.down = False
            log.info("database_available", service=self.service)
