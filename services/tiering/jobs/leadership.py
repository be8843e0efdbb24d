"""Which replica works a job this round: the one whose batch transaction gets
`pg_try_advisory_xact_lock(<job>)`. The lock only saves work; the once-only guarantee is
the claim row each job inserts before it emits."""

from __future__ import annotations

import zlib

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")


def job_lock_key(job: str) -> int:
    return zlib.crc32(f"patronage.tiering.{job}".encode())


async def leads(db: AsyncConnection, job: str) -> bool:
    """True if this transaction holds the job's lock (until it ends)."""
    return bool((await db.execute(TRY_LEAD, {"key": job_lock_key(job)})).scalar_one())
