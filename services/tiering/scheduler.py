"""The tiering scheduler: membership reminders and expiries, and anniversary tier reviews.

`run_once(now)` does everything due at `now`; `run(stop)` calls it on the injected clock
every `scheduler_interval_seconds`. Guarantees, across any number of replicas and restarts:

- Leader: each batch runs in a transaction that first takes
  `pg_try_advisory_xact_lock(<job>)`; a replica that does not get it leaves the work to
  the one that did. The lock is only an economy: correctness comes from the next point.
- Once only: before emitting, the job inserts `reminders_sent (term_id, kind, offset)` (or
  `tier_reviews (member_id, review_at)`) with ON CONFLICT DO NOTHING, in the same
  transaction as the outbox row; it emits only if that insert happened.
- Scale: only rows with work are scanned, by index range (`next_due_at <= now` on a
  partial index; `review_at <= now - grace`), in keyset batches with FOR UPDATE SKIP
  LOCKED, so a row a handler is renewing right now is left for the next run.
- A reminder point missed while the scheduler was down is not sent late: when several
  offsets are due at once only the nearest goes out; the others are recorded as skipped.
"""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass
from datetime import datetime

from services.tiering.expiry import ExpiryJob
from services.tiering.reviews import ReviewJob
from services.tiering.settings import TieringSettings
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)


def job_lock_key(job: str) -> int:
    return zlib.crc32(f"patronage.tiering.{job}".encode())


@dataclass
class RunReport:
    reminders: int = 0
    expiries: int = 0
    reviews: int = 0
    downgrades: int = 0


class TieringScheduler:
    def __init__(self, context: ServiceContext, settings: TieringSettings | None = None) -> None:
        self.context = context
        self.settings: TieringSettings = settings or context.settings
        self.expiry = ExpiryJob(context, self.settings, job_lock_key("expiry"))
        self.reviews = ReviewJob(context, self.settings, job_lock_key("review"))

    async def run_once(self, now: datetime) -> RunReport:
        report = RunReport()
        report.reminders, report.expiries = await self.expiry.run_once(now)
        report.reviews, report.downgrades = await self.reviews.run_once(now)
        return report

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                report = await self.run_once(self.context.clock.now())
                if report.reminders or report.expiries or report.reviews:
                    log.info("tiering_schedule_ran", **report.__dict__)
            except Exception as error:  # keep scheduling whatever broke: DB restart, network
                log.warning("tiering_schedule_failed", error=repr(error))
            try:
                await asyncio.wait_for(stop.wait(), timeout=self.settings.scheduler_interval_seconds)
            except TimeoutError:
                pass


def background_jobs(context: ServiceContext):
    return (TieringScheduler(context).run,)
