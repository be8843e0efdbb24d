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

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.service import BackgroundJob
from shared.structured_logging import get_logger

log = get_logger(__name__)
TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")


def periodic(name: str, every_seconds: float,
             run_once: Callable[[], Awaitable[object]]) -> BackgroundJob:
    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if done := await run_once():
                    log.info(f"{name}_ran", result=done)
            except Exception as error:  # the next round retries; never kill the service
                log.warning(f"{name}_failed", error=repr(error))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_seconds)

    return run


def job_lock_key(job: str) -> int:
    """The advisory-lock id of a job, e.g. `tiering.expiry`, `notifier.delivery`."""
    return zlib.crc32(f"patronage.{job}".encode())


async def leads(db: AsyncConnection, job: str) -> bool:
    """True if this transaction holds the job's lock (until it ends)."""
    return bool((await db.execute(TRY_LEAD, {"key": job_lock_key(job)})).scalar_one())
