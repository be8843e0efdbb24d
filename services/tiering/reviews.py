"""The anniversary review job: at each member's review date plus the grace period, a
member who did not retain their tier moves down to the tier they qualify for
(`TierChanged`, direction down). Once per member and anniversary (`tier_reviews`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from services.tiering import qualifying, rule_sets, tables
from services.tiering.members import apply_decision
from services.tiering.settings import TieringSettings
from services.tiering.tiers import TierRules, next_anniversary, review, review_due_at
from shared.db.unit_of_work import UnitOfWork
from shared.service import ServiceContext

TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")
DUE_MEMBERS = text("""
    SELECT * FROM members
    WHERE review_at <= :due_before AND (review_at, member_id) > (:after_review, :after_id)
    ORDER BY review_at, member_id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")
START = (datetime(1, 1, 1, tzinfo=UTC), "")


class ReviewJob:
    def __init__(self, context: ServiceContext, settings: TieringSettings, lock_key: int) -> None:
        self.context, self.settings, self.lock_key = context, settings, lock_key
        self.grace = timedelta(days=settings.tier_review_grace_days)

    async def run_once(self, now: datetime) -> tuple[int, int]:
        """(members reviewed, members moved down)."""
        reviewed = downgraded = 0
        after = START
        while True:
            async with self.context.uow() as uow:
                db = uow.connection
                if not (await db.execute(TRY_LEAD, {"key": self.lock_key})).scalar_one():
                    return reviewed, downgraded
                rules = await rule_sets.rules_in_force(db, self.settings.default_rules())
                rows = (await db.execute(DUE_MEMBERS, {
                    "due_before": now - self.grace, "after_review": after[0], "after_id": after[1],
                    "limit": self.settings.scheduler_batch_size})).all()
                for member in rows:
                    moved = await self._review(uow, member, rules, now)
                    reviewed, downgraded = reviewed + 1, downgraded + moved
            if len(rows) < self.settings.scheduler_batch_size:
                return reviewed, downgraded
            after = (rows[-1].review_at, rows[-1].member_id)

    async def _review(self, uow: UnitOfWork, member: Row, rules: TierRules, now: datetime) -> int:
        db = uow.connection
        claimed = (await db.execute(insert(tables.tier_reviews).values(
            member_id=member.member_id, review_at=member.review_at, outcome="retained",
            reviewed_at=now).on_conflict_do_nothing().returning(tables.tier_reviews.c.member_id))).first()
        decision = None
        if claimed is not None:
            decision = review(rules, member.tier, await qualifying.standing(db, member.member_id, now))
        if decision is not None:
            await apply_decision(uow, member, decision, rules, self.settings.currency, now)
            await db.execute(update(tables.tier_reviews).where(
                tables.tier_reviews.c.member_id == member.member_id,
                tables.tier_reviews.c.review_at == member.review_at).values(
                    outcome=f"moved {decision.direction} to {decision.to_tier}"))
        next_review = next_anniversary(member.review_at)
        while review_due_at(next_review, self.settings.tier_review_grace_days) <= now:
            next_review = next_anniversary(next_review)
        await db.execute(update(tables.members).where(tables.members.c.member_id == member.member_id)
                         .values(review_at=next_review))
        return int(decision is not None and decision.direction == "down")
