"""Tier grants that start later (a renew-and-upgrade stacked on the current term starts with
its term): when the start comes, the member moves up to the granted tier (`TierChanged`).
Leader-locked (`tiering.tier_grants`), in keyset batches over the partial index of grants
not started yet; each start is claimed once (`applied_at`) in the same transaction as its
outbox row, after the member's lock, so a replica, a restart or a re-run never moves a
member twice."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.tiering.settings import TieringSettings
from services.tiering.store import tier_grants, tiers
from services.tiering.store.entitlements import grant_for_tier
from services.tiering.store.members import lock_member
from shared.jobs import leads
from shared.service import ServiceContext

JOB = "tiering.tier_grants"
START = (datetime(1, 1, 1, tzinfo=UTC), uuid.UUID(int=0))


async def start_tier_grants(context: ServiceContext[TieringSettings], settings: TieringSettings,
                            now: datetime) -> int:
    """Every grant whose start has come; how many moved a member up."""
    raised, after = 0, START
    while True:
        async with context.uow() as uow:
            db = uow.connection
            if not await leads(db, JOB):
                return raised
            rules = await tiers.rules_in_force(db, settings.default_rules())
            due = await tier_grants.due_to_start(db, now, after, settings.scheduler_batch_size)
            for due_grant in due:
                member = await lock_member(db, due_grant.member_id)  # the member first
                claimed = await tier_grants.claim_start(db, due_grant.grant_id, now)
                if member is None or claimed is None or not tier_grants.as_grant(claimed).active(now):
                    continue
                decision = await tier_grants.start(uow, member, member.tier, rules, claimed,
                                                   settings.currency)
                if decision is not None:  # the granted tier's benefits come with it
                    await grant_for_tier(uow, member.member_id, decision.to_tier,
                                         settings.time_zone)
                    raised += 1
        if len(due) < settings.scheduler_batch_size:
            return raised
        after = (due[-1].starts_at, due[-1].grant_id)
