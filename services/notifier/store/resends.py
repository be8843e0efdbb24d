"""Queuing a resend: a new `notifications` row with the original's kind, category and
facts, due now, and `resent_from` naming the original, so the delivery log shows which
message it repeats. The delivery job sends it like any other (jobs/attempts.py)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.notifier.rules.channels import candidates
from services.notifier.rules.resends import check_resend
from services.notifier.store.contacts import reach_of
from services.notifier.store.tables import notifications
from shared.rule_violations import NotFound


async def resend(connection: AsyncConnection, member_id: str, notification_id: UUID,
                 configured: Collection[str], fallback_order: Sequence[str],
                 now: datetime) -> Row:
    """The queued copy; 404 `notification_not_found` (also for another member's message),
    409 from rules/resends.py."""
    original = (await connection.execute(
        select(notifications).where(notifications.c.notification_id == notification_id,
                                    notifications.c.member_id == member_id))).first()
    if original is None:
        raise NotFound("notification_not_found", f"No message {notification_id} for {member_id}.")
    reach, _ = await reach_of(connection, member_id)
    check_resend(original.status, candidates(reach, original.category, configured, fallback_order))
    copy_id = uuid.uuid4()
    return (await connection.execute(insert(notifications).values(
        notification_id=copy_id, member_id=member_id, kind=original.kind,
        category=original.category, source_event_id=original.source_event_id,
        dedup_key=f"resend:{notification_id}:{copy_id}", facts=original.facts,
        status="pending", next_attempt_at=now, created_at=now, resent_from=notification_id,
    ).returning(notifications))).one()
