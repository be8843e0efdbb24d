"""The daily segment refresh: facts that move with time alone (a spend window sliding past
an old purchase, days to expiry counting down, a birthday month ending) change no event, so
once a day every member's rule segments are evaluated again (store/segments.py `refresh`),
a page of members at a time in member id order.

Leader-locked (`rewards.segment_refresh`, taken by each page's transaction): one replica
works a page. A second copy would only repeat the same idempotent writes, so the lock
saves work, not correctness.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.rewards.store import segments
from services.rewards.store.members import lock_members
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.jobs import leads


async def refresh_all(open_uow: UnitOfWorkFactory, now: datetime, zone: ZoneInfo,
                      page_size: int = 500) -> int:
    """Members evaluated (0 when another replica leads this round). A page per transaction,
    its members locked first (as the handlers lock them), so a consumer's refresh of the
    same member is never overwritten by an evaluation of older facts."""
    evaluated, after = 0, ""
    while True:
        async with open_uow() as uow:
            db = uow.connection
            if not await leads(db, "rewards.segment_refresh"):
                return evaluated
            rules = await segments.current_rules(db)
            members = await segments.known_members(db, after, page_size) if rules else []
            if not members:
                return evaluated
            await lock_members(db, members)
            await segments.refresh(db, members, now, zone, rules)
        evaluated += len(members)
        after = members[-1]
