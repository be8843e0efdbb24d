"""The anniversary tier review (not rewards' fraud review queue): at each member's review
date plus the grace period, a member who did not retain their tier moves down to the higher
of the tier they qualify for and their tier grants still active then (`TierChanged`,
direction down). Once per member and anniversary. A grant that ended since the last review
lets the tier fall here, never earlier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Row

from services.tiering.rules.tier_grants import highest_granted, review_with_grants
from services.tiering.rules.tiers import TierRules, next_review_at
from services.tiering.settings import TieringSettings
from services.tiering.store import qualifying, tier_grants, tier_reviews, tiers
from services.tiering.store.entitlements import grant_for_tier
from services.tiering.store.members import apply_decision
from shared.db.unit_of_work import UnitOfWork
from shared.jobs import leads
from shared.service import ServiceContext

JOB = "tiering.review"  # the leader lock: crc32("patronage.tiering.review") as before
START = (datetime(1, 1, 1, tzinfo=UTC), "")


async def review_tiers(context: ServiceContext[TieringSettings], settings: TieringSettings,
                       now: datetime) -> tuple[int, int]:
    """Every review due at `now`, in keyset batches; (members reviewed, members moved down)."""
    reviewed = downgraded = 0
    after = START
    due_before = now - timedelta(days=settings.tier_review_grace_days)
    while True:
        async with context.uow() as uow:
            db = uow.connection
            if not await leads(db, JOB):
                return reviewed, downgraded
            rules = await tiers.rules_in_force(db, settings.default_rules())
            rows = await tier_reviews.due_members(db, due_before, after, settings.scheduler_batch_size)
            for member in rows:
                moved = await _review(uow, settings, member, rules, now)
                reviewed, downgraded = reviewed + 1, downgraded + moved
        if len(rows) < settings.scheduler_batch_size:
            return reviewed, downgraded
        after = (rows[-1].review_at, rows[-1].member_id)


async def _review(uow: UnitOfWork, settings: TieringSettings, member: Row, rules: TierRules,
                  now: datetime) -> int:
    """Review one member (if this anniversary was not reviewed yet) and move their review
    date on; 1 if they moved down."""
    db = uow.connection
    decision = None
    if await tier_reviews.claim(db, member, now):
        granted = highest_granted(rules, map(tier_grants.as_grant, await tier_grants.active_at(
            db, member.member_id, now)), now)
        decision = review_with_grants(rules, member.tier,
                                      await qualifying.standing(db, member.member_id, now), granted)
    if decision is not None:
        await apply_decision(uow, member, decision, rules, settings.currency, now)
        await grant_for_tier(uow, member.member_id, decision.to_tier, settings.time_zone)
        await tier_reviews.record_move(db, member, decision)
    await tier_reviews.move_review_date(
        db, member.member_id, next_review_at(member.review_at, settings.tier_review_grace_days, now))
    return int(decision is not None and decision.direction == "down")
