"""Scenario 4: the expiry scan. Memberships are seeded straight into tiering's
`membership_terms` with SQL (one term per member, ends spread evenly over the 365 days that
start 29 days from `now`, `next_due_at` at the first reminder: 30 days before the end, as a
purchase would set it), so one day's worth — 1 in 365 — is due. The figure is the time of
the scheduler's `run_once(now)` (the expiry job and the review job, as the service runs
them) emitting that day's `MembershipExpiring` rows to the outbox, per due membership.

Sizes are run smallest first on the same table: after the first run the clock moves one
day and the next size's extra rows are added, spread the same way from the new `now`, so
again 1 in 365 of all the rows is due (the old rows' next day, the new rows' first). The
reference is the smallest size's cost per due membership: the ratio is the flatness
(1.0 = the cost of a due row does not grow with the table).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import asyncpg

from patronage.bench.stack import Stack
from services.tiering.jobs import TieringScheduler
from services.tiering.service import SPEC as TIERING
from shared.runtime import ServiceRuntime
from shared.settings import PlatformSettings
from shared.transport import KafkaTransport

START = datetime(2027, 1, 1, tzinfo=UTC)
SEED = """
    INSERT INTO tiering.membership_terms (term_id, member_id, term_start, term_end, years, price,
        currency, purchase_id, bought_at, next_due_at)
    SELECT gen_random_uuid(), 'exp-' || n, e - interval '1 year', e, 1, 28800, 'CNY',
           'exp-p' || n, e - interval '1 year', e - interval '30 days'
    FROM (SELECT n, $1::timestamptz + interval '29 days' + (n % 365) * interval '1 day'
                 + (1 + (n / 365) % 86000) * interval '1 second' AS e
          FROM generate_series($2::bigint, $3::bigint) AS n) AS s
"""


async def seed_terms(database_url: str, first: int, last: int, now: datetime) -> None:
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute(SEED, now, first, last)
        await connection.execute("ANALYZE tiering.membership_terms")
    finally:
        await connection.close()


async def count_expiring(database_url: str) -> int:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM tiering.outbox WHERE ce_type LIKE '%.MembershipExpiring.%'")
    finally:
        await connection.close()


async def expiry_scan(stack: Stack, *, sizes: list[int]) -> dict:
    platform = PlatformSettings(environment="test", database_url=stack.database_url,
                                kafka_bootstrap=stack.kafka_bootstrap, topic_prefix="benchexp.")
    runtime = ServiceRuntime(TIERING, platform, KafkaTransport(stack.kafka_bootstrap))
    scheduler = TieringScheduler(runtime.context)
    runs, seeded = [], 0
    try:
        for day, size in enumerate(sorted(sizes)):
            started = time.perf_counter()
            await seed_terms(stack.database_url, seeded + 1, size, START + timedelta(days=day))
            seed_seconds = time.perf_counter() - started
            seeded = size
            now = START + timedelta(days=day)
            before = await count_expiring(stack.database_url)
            started = time.perf_counter()
            report = await scheduler.run_once(now)
            seconds = time.perf_counter() - started
            emitted = await count_expiring(stack.database_url) - before
            again = await scheduler.run_once(now)  # once only: nothing more to do
            runs.append({"memberships": size, "due": report.reminders, "outbox_rows": emitted,
                         "seconds": round(seconds, 3), "seed_seconds": round(seed_seconds, 1),
                         "ms_per_due": round(seconds * 1000 / max(1, report.reminders), 3),
                         "repeat_run_reminders": again.reminders})
    finally:
        await runtime.engine.dispose()
    reference = runs[0]["ms_per_due"]
    for run in runs:
        run["ratio_vs_smallest"] = round(run["ms_per_due"] / reference, 3) if reference else None
    return {"name": "expiry_scan", "reference": {"memberships": runs[0]["memberships"],
                                                 "ms_per_due": reference}, "runs": runs}
