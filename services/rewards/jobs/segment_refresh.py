"""The daily segment refresh: facts that move with time alone (a spend window sliding past
an old purchase, days to expiry counting down, a birthday month ending) change no event, so
once a day every member's rule segments are evaluated again (store/segments.py `refresh`),
a page of members at a time in member id order, in the one transaction that holds the lead.

Leader-locked (`rewards.segment_refresh`): one replica works a round. A second copy would
only repeat the same idempotent writes, so the lock saves work, not correctness.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.rewards.store import segments
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.jobs import leads


async def refresh_all(open_uow: UnitOfWorkFactory, now: datetime, zone: ZoneInfo,
                      page_size: int = 500) -> int:
    """Members evaluated (0 when another replica leads this round)."""
    async with open_uow() as uow:
        if not await leads(uow.connection, "rewards.segment_refresh"):
            return 0
        rules = await segments.current_rules(uow.connection)
        if not rules:
            return 0
        evaluated, after = 0, ""
        while members := await segments.known_members(uow.connection, after, page_size):
            await segments.refresh(uow.connection, members, now, zone, rules)
            evaluated += len(members)
            after = members[-1]
    return evaluated
