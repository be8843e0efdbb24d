"""Delivery-log retention: notifications (each message and its delivery log), webhook
deliveries and scheduled reports' deliveries older than the merchant's retention are
deleted, a batch at a time; a delivery still pending is left to be delivered or to fail
first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

DELETE_OLD = (text("""
    DELETE FROM notifications WHERE notification_id IN (
      SELECT notification_id FROM notifications
      WHERE created_at < :cutoff AND status <> 'pending'
      ORDER BY created_at LIMIT :limit)
"""), text("""
    DELETE FROM webhook_deliveries WHERE delivery_id IN (
      SELECT delivery_id FROM webhook_deliveries
      WHERE coalesce(last_attempt_at, next_attempt_at) < :cutoff AND status <> 'pending'
      ORDER BY delivery_id LIMIT :limit)
"""), text("""
    DELETE FROM report_deliveries WHERE delivery_id IN (
      SELECT delivery_id FROM report_deliveries
      WHERE created_at < :cutoff AND status <> 'pending'
      ORDER BY created_at LIMIT :limit)
"""))


async def delete_old_deliveries(db: AsyncConnection, cutoff: datetime, limit: int) -> int:
    """Up to `limit` rows of each log: the messages', the webhooks' and the reports'
    deliveries."""
    return max([(await db.execute(statement, {"cutoff": cutoff, "limit": limit})).rowcount
                for statement in DELETE_OLD])
