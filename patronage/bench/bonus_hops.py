"""Where the bonus loop's time goes: each hop's duration from the outbox timestamps the
services already keep, for the loops whose recharge was recorded in a time window (a run and its warm-up).

`created_at` of an outbox row is its transaction's start and `published_at` the relay's
mark after Kafka acknowledged it, so per loop:
- wallet_relay: the recharge's commit and wake-up, publish, mark (RechargeCompleted);
- to_rewards: from that mark to the start of the rewards transaction that decided;
- rewards_txn_and_relay: that transaction, its commit, the rewards relay (BonusGranted);
- to_wallet: from that mark to the start of the wallet transaction that credited;
- wallet_txn_and_relay: that transaction and the wallet relay (BonusCredited).
The two `to_` hops can be slightly negative: a consumer may start on an event before the
relay that sent it has written its mark.

The three sets are MATERIALIZED: inlined, the planner may join them in a nested loop that
decodes each outbox payload once per pair of rows (minutes at 5,000 loops, seen once);
materialized, each payload is decoded once and the joins are hashed.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db.engine import plain_url

HOPS = """
WITH recharge AS MATERIALIZED (
  SELECT convert_from(payload, 'UTF8')::jsonb ->> 'recharge_id' AS recharge_id,
         created_at AS c0, published_at AS p0
  FROM wallet.outbox WHERE ce_type LIKE '%RechargeCompleted%' AND created_at BETWEEN $1 AND $2
), granted AS MATERIALIZED (
  SELECT convert_from(payload, 'UTF8')::jsonb ->> 'recharge_id' AS recharge_id,
         created_at AS c1, published_at AS p1
  FROM rewards.outbox WHERE ce_type LIKE '%BonusGranted%' AND created_at >= $1
), credited AS MATERIALIZED (
  SELECT convert_from(payload, 'UTF8')::jsonb ->> 'recharge_id' AS recharge_id,
         created_at AS c2, published_at AS p2
  FROM wallet.outbox WHERE ce_type LIKE '%BonusCredited%' AND created_at >= $1
)
SELECT 1000 * extract(epoch FROM p0 - c0) AS wallet_relay,
       1000 * extract(epoch FROM c1 - p0) AS to_rewards,
       1000 * extract(epoch FROM p1 - c1) AS rewards_txn_and_relay,
       1000 * extract(epoch FROM c2 - p1) AS to_wallet,
       1000 * extract(epoch FROM p2 - c2) AS wallet_txn_and_relay
FROM recharge JOIN granted USING (recharge_id) JOIN credited USING (recharge_id)
"""


def _percentile(ordered: list[float], p: float) -> float:
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def loop_hops(database_url: str, since: datetime, until: datetime) -> dict:
    """p50/p99 in ms of each hop, over the loops whose recharge was made in [since, until]."""
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await connection.fetch(HOPS, since, until)
    finally:
        await connection.close()
    hops: dict = {"loops": len(rows)}
    for name in (rows[0].keys() if rows else ()):
        ordered = sorted(float(row[name]) for row in rows)
        hops[name] = {"p50_ms": round(_percentile(ordered, 50), 1),
                      "p99_ms": round(_percentile(ordered, 99), 1)}
    return hops
