"""The points expiry sweep (hourly, and `POST /v1/points/expiry-runs`): every lot past its
date expires, one transaction per member. Safe on every replica at once and idempotent: an
expired lot has nothing left."""

from __future__ import annotations

from datetime import datetime

from services.rewards.store import points
from shared.db.unit_of_work import UnitOfWorkFactory


async def expire_due(open_uow: UnitOfWorkFactory, now: datetime, limit: int = 500
                     ) -> dict[str, int]:
    """The points expired, by member."""
    async with open_uow() as uow:
        members = await points.members_with_expired_lots(uow.connection, now, limit)
    expired: dict[str, int] = {}
    for member in sorted(members):
        async with open_uow() as uow:
            expired[member] = await points.expire_member(uow, member, now)
    return expired
