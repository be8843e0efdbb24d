"""The anniversary tier review's rows: the members due (`members.review_at`, indexed), the
review claimed once per member and anniversary (`tier_reviews`), its outcome, and the
member's next review date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.tiers import TierDecision
from services.tiering.store import tables

DUE_MEMBERS = text("""
    SELECT * FROM members
    WHERE review_at <= :due_before AND (review_at, member_id) > (:after_review, :after_id)
    ORDER BY review_at, member_id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")
reviews = tables.tier_reviews


async def due_members(db: AsyncConnection, due_before: datetime, after: tuple[datetime, str],
                      limit: int) -> list[Row]:
    """The next keyset batch of members whose review date is at or before `due_before`,
    after `(review_at, member_id)`, locked (a member busy in a handler waits a round)."""
    return list((await db.execute(DUE_MEMBERS, {
        "due_before": due_before, "after_review": after[0], "after_id": after[1],
        "limit": limit})).all())


async def claim(db: AsyncConnection, member: Row, now: datetime) -> bool:
    """Record the review of this anniversary as `retained`; False if it was reviewed before."""
    claimed = await db.execute(insert(reviews).values(
        member_id=member.member_id, review_at=member.review_at, outcome="retained",
        reviewed_at=now).on_conflict_do_nothing().returning(reviews.c.member_id))
    return claimed.first() is not None


async def record_move(db: AsyncConnection, member: Row, decision: TierDecision) -> None:
    await db.execute(update(reviews).where(
        reviews.c.member_id == member.member_id, reviews.c.review_at == member.review_at)
        .values(outcome=f"moved {decision.direction} to {decision.to_tier}"))


async def move_review_date(db: AsyncConnection, member_id: str, review_at: datetime) -> None:
    members = tables.members
    await db.execute(update(members).where(members.c.member_id == member_id)
                     .values(review_at=review_at))
