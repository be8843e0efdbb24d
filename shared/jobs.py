"""What every service's jobs on a clock share: running a job every N seconds until the
runtime stops, and choosing which replica works a leader-locked job this round.

`periodic(name, every_seconds, run_once)` is a `BackgroundJob` (`ServiceSpec.background`):
it calls `run_once()` on the interval, logs `<name>_ran` with what it returned when that
was something (a truthy result), and logs and survives any failure (a database restart, a
network fault): the next round tries again, and a job never kills its service.

`leads(connection, job)` takes `pg_try_advisory_xact_lock(<job>)` in the caller's
transaction: the replica that gets it works this round, the others skip. The lock only
saves work; once-only effects come from each job's own claim rows.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.structured_logging import get_logger

log = get_logger(__name__)
TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")


@dataclass(frozen=True)
class PeriodicJob:
    """A `BackgroundJob` that also says what one round is: `patronage tick` (dev) calls
    `run_once` directly after moving the clock, instead of waiting for the interval."""

    name: str
    every_seconds: float
    run_once: Callable[[], Awaitable[object]]
    on_stop: Callable[[], Awaitable[None]] | None = None  # e.g. close an HTTP client
    first_after_seconds: float = 0  # wait this long before the first round

    async def __call__(self, stop: asyncio.Event) -> None:
        try:
            if self.first_after_seconds:
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.first_after_seconds)
            while not stop.is_set():
                try:
                    if done := await self.run_once():
                        log.info(f"{self.name}_ran", result=done)
                except Exception as error:  # the next round retries; never kill the service
                    log.warning(f"{self.name}_failed", error=repr(error))
                with suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.every_seconds)
        finally:
            if self.on_stop is not None:
                await self.on_stop()


def periodic(name: str, every_seconds: float, run_once: Callable[[], Awaitable[object]],
             on_stop: Callable[[], Awaitable[None]] | None = None,
             first_after_seconds: float = 0) -> PeriodicJob:
    return PeriodicJob(name, every_seconds, run_once, on_stop, first_after_seconds)


def job_lock_key(job: str) -> int:
    """The advisory-lock id of a job, e.g. `tiering.expiry`, `notifier.delivery`."""
    return zlib.crc32(f"patronage.{job}".encode())


async def leads(db: AsyncConnection, job: str) -> bool:
    """True if this transaction holds the job's lock (until it ends)."""
    return bool((await db.execute(TRY_LEAD, {"key": job_lock_key(job)})).scalar_one())
