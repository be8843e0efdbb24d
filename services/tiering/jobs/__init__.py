"""Tiering's jobs on a clock: membership reminders and expiries
(membership_reminders.py), tier grants that start later (tier_grants.py), the anniversary
tier review (tier_reviews.py) and the birthday announcements (birthdays.py: once per member
and year, on the merchant's local day).

`TieringScheduler.run_once(now)` does everything due at `now`; `background_jobs(context)`,
what the runtime starts (`ServiceSpec.background`), runs it on the injected clock every
`scheduler_interval_seconds` (`shared.jobs.periodic`). Guarantees, across any number of replicas and
restarts:

- Leader: each batch runs in a transaction that first takes
  `pg_try_advisory_xact_lock(<job>)` (`shared.jobs.leads`); a replica that does not get it leaves
  the work to the one that did. The lock is only an economy: correctness comes from the
  next point.
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

from dataclasses import dataclass
from datetime import datetime

from services.tiering.jobs.birthdays import announce_birthdays
from services.tiering.jobs.membership_reminders import send_membership_reminders
from services.tiering.jobs.tier_grants import start_tier_grants
from services.tiering.jobs.tier_reviews import review_tiers
from services.tiering.settings import TieringSettings
from shared.db.data_export_expiry import data_export_parts_expiry
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


@dataclass
class RunReport:
    reminders: int = 0
    expiries: int = 0
    reviews: int = 0
    downgrades: int = 0
    birthdays: int = 0
    grants_started: int = 0

    def __bool__(self) -> bool:  # something happened: worth a log line
        return any(vars(self).values())


class TieringScheduler:
    def __init__(self, context: ServiceContext[TieringSettings],
                 settings: TieringSettings | None = None) -> None:
        self.context = context
        self.settings = settings or context.settings

    async def run_once(self, now: datetime) -> RunReport:
        report = RunReport()
        report.reminders, report.expiries = await send_membership_reminders(
            self.context, self.settings, now)
        # grants first: a review at the same moment sees the tier a grant starting now gives
        report.grants_started = await start_tier_grants(self.context, self.settings, now)
        report.reviews, report.downgrades = await review_tiers(self.context, self.settings, now)
        report.birthdays = await announce_birthdays(self.context, self.settings, now)
        return report


def background_jobs(context: ServiceContext[TieringSettings]) -> tuple[BackgroundJob, ...]:
    scheduler = TieringScheduler(context)
    return (periodic("tiering_schedule", context.settings.scheduler_interval_seconds,
                     lambda: scheduler.run_once(context.clock.now())),
            data_export_parts_expiry(context))
