"""Delivery-log retention: notifications (each message and its delivery log) older than the
merchant's retention are deleted, a batch at a time; a message still pending is left to be
delivered or to fail first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

DELETE_OLD = text("""
    DELETE FROM notifications WHERE notification_id IN (
      SELECT notification_id FROM notifications
      WHERE created_at < :cutoff AND status <> 'pending'
      ORDER BY created_at LIMIT :limit)
""")


async def delete_old_deliveries(db: AsyncConnection, cutoff: datetime, limit: int) -> int:
    return (await db.execute(DELETE_OLD, {"cutoff": cutoff, "limit": limit})).rowcount
