"""Webhook subscriptions: where ops want events sent, the signing secret, and whether the
endpoint is on, off, or failing since when (docs/notifier.md, "Webhooks")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.rules.webhooks import Interest
from services.notifier.store.tables import webhook_subscriptions as subscriptions
from shared.rule_violations import NotFound

# what ops see of a subscription: everything but the secret, which is shown once
SHOWN = [column for column in subscriptions.c if column.name != "secret"]


def not_found(subscription_id: str) -> NotFound:
    return NotFound("subscription_not_found", f"No webhook subscription {subscription_id}.")


async def create(db: AsyncConnection, subscription_id: str, url: str, interest: Interest,
                 secret: str, description: str, now: datetime) -> dict[str, Any]:
    row = (await db.execute(insert(subscriptions).values(
        subscription_id=subscription_id, url=url, event_types=list(interest.event_types),
        member_id=interest.member_id, secret=secret, enabled=True, description=description,
        created_at=now, updated_at=now).returning(*SHOWN))).mappings().one()
    return dict(row)


async def get(db: AsyncConnection, subscription_id: str) -> dict[str, Any]:
    row = (await db.execute(select(*SHOWN).where(
        subscriptions.c.subscription_id == subscription_id))).mappings().first()
    if row is None:
        raise not_found(subscription_id)
    return dict(row)


async def listing(db: AsyncConnection, after: tuple[datetime, str] | None,
                  limit: int) -> list[dict[str, Any]]:
    """Newest first, keyed by (created_at, subscription_id)."""
    query = select(*SHOWN)
    if after is not None:
        created_at, subscription_id = after
        query = query.where(or_(subscriptions.c.created_at < created_at, and_(
            subscriptions.c.created_at == created_at,
            subscriptions.c.subscription_id < subscription_id)))
    query = query.order_by(subscriptions.c.created_at.desc(),
                           subscriptions.c.subscription_id.desc()).limit(limit + 1)
    return [dict(row) for row in (await db.execute(query)).mappings()]


async def change(db: AsyncConnection, subscription_id: str, changes: Mapping[str, Any],
                 now: datetime) -> dict[str, Any]:
    """Apply the given fields; turning a subscription on forgets its failures, so an
    endpoint fixed after being disabled gets a full day again."""
    values = {**changes, "updated_at": now}
    if changes.get("enabled"):
        values |= {"failing_since": None, "disabled_reason": None}
    row = (await db.execute(update(subscriptions).where(
        subscriptions.c.subscription_id == subscription_id).values(values)
        .returning(*SHOWN))).mappings().first()
    if row is None:
        raise not_found(subscription_id)
    return dict(row)


async def rotate_secret(db: AsyncConnection, subscription_id: str, secret: str,
                        now: datetime) -> dict[str, Any]:
    return await change(db, subscription_id, {"secret": secret}, now)


async def remove(db: AsyncConnection, subscription_id: str) -> None:
    """The subscription and its delivery log (ON DELETE CASCADE)."""
    result = await db.execute(delete(subscriptions).where(
        subscriptions.c.subscription_id == subscription_id))
    if result.rowcount == 0:
        raise not_found(subscription_id)


async def interested(db: AsyncConnection) -> list[tuple[str, Interest]]:
    """The enabled subscriptions and what each wants: few rows, read once per batch."""
    rows = await db.execute(select(subscriptions.c.subscription_id, subscriptions.c.event_types,
                                   subscriptions.c.member_id).where(subscriptions.c.enabled))
    return [(row.subscription_id, Interest(tuple(row.event_types), row.member_id))
            for row in rows]


async def failing(db: AsyncConnection, subscription_id: str, now: datetime) -> datetime:
    """Record a failed attempt; the start of the endpoint's unbroken run of failures."""
    return (await db.execute(update(subscriptions).where(
        subscriptions.c.subscription_id == subscription_id).values(
        failing_since=func.coalesce(subscriptions.c.failing_since, now))
        .returning(subscriptions.c.failing_since))).scalar_one()


async def answering(db: AsyncConnection, subscription_id: str) -> None:
    await db.execute(update(subscriptions).where(
        subscriptions.c.subscription_id == subscription_id,
        subscriptions.c.failing_since.is_not(None)).values(failing_since=None))


async def disable(db: AsyncConnection, subscription_id: str, reason: str, now: datetime) -> None:
    await db.execute(update(subscriptions).where(
        subscriptions.c.subscription_id == subscription_id).values(
        enabled=False, disabled_reason=reason, updated_at=now))
