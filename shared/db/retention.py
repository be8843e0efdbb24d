"""Pruning what the messaging tables no longer need, in small batches so a prune never
holds long locks or bloats one huge transaction:

- outbox rows published more than `outbox_days` ago (kept meanwhile for audit/republish);
- inbox rows older than `inbox_days` — keep this longer than the topics' retention, since
  an event still on a topic could be redelivered and must still be recognised;
- idempotency keys past their retention (shared.http.idempotency.RETENTION).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from shared.http.idempotency import RETENTION

BATCH = 5_000
PRUNE = {
    "outbox": "DELETE FROM outbox WHERE position IN (SELECT position FROM outbox "
              "WHERE published_at < $1 LIMIT $2)",
    "inbox": "DELETE FROM inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id "
             "FROM inbox WHERE processed_at < $1 LIMIT $2)",
    "idempotency_keys": "DELETE FROM idempotency_keys WHERE (scope, key) IN (SELECT scope, key "
                        "FROM idempotency_keys WHERE created_at < $1 LIMIT $2)",
}


@dataclass(frozen=True)
class RetentionPolicy:
    outbox_days: int = 7
    inbox_days: int = 30


async def prune(dsn: str, schema: str, now: datetime, policy: RetentionPolicy) -> dict[str, int]:
    cutoffs = {
        "outbox": now - timedelta(days=policy.outbox_days),
        "inbox": now - timedelta(days=policy.inbox_days),
        "idempotency_keys": now - RETENTION,
    }
    connection = await asyncpg.connect(dsn, server_settings={"search_path": schema})
    deleted: dict[str, int] = {}
    try:
        present = {r["tablename"] for r in await connection.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1", schema)}
        for table, statement in PRUNE.items():
            if table not in present:
                continue
            total = 0
            while (count := int((await connection.execute(statement, cutoffs[table], BATCH))
                                .split()[-1])):
                total += count
            deleted[table] = total
    finally:
        await connection.close()
    return deleted
