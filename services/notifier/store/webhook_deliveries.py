"""Webhook deliveries: one row per (subscription, event), the delivery log of a subscription.

A member's deliveries to one subscription leave in `delivery_id` order (the order the
webhook consumer read the events, which Kafka keeps per member): a delivery is due only
when no earlier delivery of the same subscription and member is still pending, so a later
event never overtakes one waiting for its retry. A parked delivery no longer holds the
member's later ones back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.store.tables import webhook_deliveries as deliveries
from shared.rule_violations import NotFound

LOGGED = [column for column in deliveries.c if column.name != "body"]

DUE = text("""
SELECT d.delivery_id, d.subscription_id, d.event_id, d.member_id, d.body, d.attempts,
       d.first_attempt_at, s.url, s.secret
FROM notifier.webhook_deliveries d
JOIN notifier.webhook_subscriptions s USING (subscription_id)
WHERE d.status = 'pending' AND d.next_attempt_at <= :now AND s.enabled
  AND NOT EXISTS (SELECT 1 FROM notifier.webhook_deliveries e
                  WHERE e.subscription_id = d.subscription_id AND e.member_id = d.member_id
                    AND e.status = 'pending' AND e.delivery_id < d.delivery_id)
ORDER BY d.delivery_id
LIMIT :limit
FOR UPDATE OF d SKIP LOCKED
""")


async def record(db: AsyncConnection, wanted: Sequence[dict[str, Any]], now: datetime) -> None:
    """Queue deliveries (`subscription_id`, `event_id`, `event_type`, `member_id`, `body`),
    due now; one already queued for the same subscription and event is left as it is."""
    if not wanted:
        return
    rows = [{**row, "status": "pending", "attempts": 0, "next_attempt_at": now,
             "created_at": now} for row in wanted]
    await db.execute(insert(deliveries).on_conflict_do_nothing(
        index_elements=["subscription_id", "event_id"]), rows)


async def due(db: AsyncConnection, now: datetime, limit: int) -> list[dict[str, Any]]:
    return [dict(row) for row in (await db.execute(DUE, {"now": now, "limit": limit})).mappings()]


async def attempted(db: AsyncConnection, delivery_id: int, now: datetime, *, delivered: bool,
                    status_code: int | None, duration_ms: int, error: str | None,
                    next_attempt_at: datetime | None) -> None:
    """The outcome of one attempt: delivered, pending again until `next_attempt_at`, or
    parked (failed with no next attempt) with its reason."""
    status = "delivered" if delivered else ("pending" if next_attempt_at else "parked")
    await db.execute(update(deliveries).where(deliveries.c.delivery_id == delivery_id).values(
        status=status, attempts=deliveries.c.attempts + 1, last_attempt_at=now,
        first_attempt_at=func.coalesce(deliveries.c.first_attempt_at, now),
        last_status_code=status_code, last_duration_ms=duration_ms, last_error=error,
        delivered_at=now if delivered else None,
        next_attempt_at=next_attempt_at or deliveries.c.next_attempt_at))


async def log(db: AsyncConnection, subscription_id: str, before: int | None, status: str | None,
              limit: int) -> list[dict[str, Any]]:
    """Newest first, keyed by delivery_id."""
    query = select(*LOGGED).where(deliveries.c.subscription_id == subscription_id)
    if before is not None:
        query = query.where(deliveries.c.delivery_id < before)
    if status is not None:
        query = query.where(deliveries.c.status == status)
    query = query.order_by(deliveries.c.delivery_id.desc()).limit(limit + 1)
    return [dict(row) for row in (await db.execute(query)).mappings()]


async def redeliver(db: AsyncConnection, subscription_id: str, delivery_id: int,
                    now: datetime) -> dict[str, Any]:
    """Queue a delivery again, due now, with a fresh retry budget (whatever its status)."""
    row = (await db.execute(update(deliveries).where(
        deliveries.c.subscription_id == subscription_id,
        deliveries.c.delivery_id == delivery_id).values(
        status="pending", attempts=0, first_attempt_at=None, next_attempt_at=now,
        delivered_at=None).returning(*LOGGED))).mappings().first()
    if row is None:
        raise NotFound("delivery_not_found",
                       f"No delivery {delivery_id} for webhook subscription {subscription_id}.")
    return dict(row)

