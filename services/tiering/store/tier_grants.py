"""Tier grants in the database: granting (the row, and the member raised to the tier at once
with `TierChanged`), the grants active at a moment (the tier review keeps them), a member's
grants, and revocation. The rows are the business audit: who granted, why, who revoked.

Callers lock the member first (`members.lock_member`), as for every event about a member.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.tier_grants import Grant, check_grant, raise_to_grant, tier_above
from services.tiering.rules.tiers import TierDecision, TierRules, measures_of
from services.tiering.store import qualifying, tables
from services.tiering.store.members import apply_decision
from shared.db.unit_of_work import UnitOfWork
from shared.rule_violations import Conflict, NotFound

grants = tables.tier_grants


@dataclass(frozen=True)
class NewGrant:
    tier: str
    source: str  # ops / renewal
    reason: str
    starts_at: datetime
    expires_at: datetime
    until_next_review: bool
    granted_by: str
    purchase_id: str | None = None


def as_grant(row: Row) -> Grant:
    return Grant(row.tier, row.starts_at, row.expires_at, row.revoked_at)


async def grant(uow: UnitOfWork, member: Row, held: str, rules: TierRules, new: NewGrant,
                currency: str, **envelope: object) -> tuple[Row | None, TierDecision | None]:
    """Record the grant and raise the member to it if it is above the tier they hold
    (`held`); (the grant, the move). A purchase grants once: a second delivery is (None, None)."""
    now = uow.clock.now()
    check_grant(rules, new.tier, new.expires_at, now)
    grant_id = uuid.uuid4()
    inserted = await uow.connection.execute(insert(grants).values(
        grant_id=grant_id, member_id=member.member_id, granted_at=now, **new.__dict__)
        .on_conflict_do_nothing(index_elements=["purchase_id"]).returning(grants))
    if (row := inserted.first()) is None:
        return None, None
    standing = await qualifying.standing(uow.connection, member.member_id, now)
    decision = None
    if new.starts_at <= now:
        decision = raise_to_grant(rules, held, new.tier, new.reason,
                                  standing.of(measures_of(rules)[0]))
    if decision is not None:
        await apply_decision(uow, member, decision, rules, currency, now, **envelope,
                             grant_id=str(grant_id), grant_expires_at=new.expires_at)
    return row, decision


async def active_at(db: AsyncConnection, member_id: str, now: datetime) -> list[Row]:
    statement = select(grants).where(
        grants.c.member_id == member_id, grants.c.revoked_at.is_(None),
        grants.c.starts_at <= now, grants.c.expires_at > now)
    return list((await db.execute(statement)).all())


async def member_grants(db: AsyncConnection, member_id: str, limit: int,
                        after: tuple[datetime, uuid.UUID] | None = None) -> list[Row]:
    """A member's grants, newest first, a keyset page (`after` the last one shown)."""
    statement = (select(grants).where(grants.c.member_id == member_id)
                 .order_by(grants.c.granted_at.desc(), grants.c.grant_id.desc()).limit(limit))
    if after is not None:
        statement = statement.where(tuple_(grants.c.granted_at, grants.c.grant_id) < after)
    return list((await db.execute(statement)).all())


async def revoke(db: AsyncConnection, member_id: str, grant_id: uuid.UUID, by: str, reason: str,
                 now: datetime) -> Row:
    """End a grant now. The tier it gave is held until the next review, as any tier."""
    row = (await db.execute(select(grants).where(
        grants.c.grant_id == grant_id, grants.c.member_id == member_id).with_for_update())).first()
    if row is None:
        raise NotFound("grant_not_found", f"No tier grant {grant_id} for {member_id}.")
    if row.revoked_at is not None or row.expires_at <= now:
        raise Conflict("grant_already_ended", f"The tier grant {grant_id} has already ended.")
    return (await db.execute(update(grants).where(grants.c.grant_id == grant_id).values(
        revoked_at=now, revoked_by=by, revoke_reason=reason).returning(grants))).one()


async def revoke_for_purchase(db: AsyncConnection, purchase_id: str, reason: str,
                              now: datetime) -> None:
    """A refunded renew-and-upgrade takes its tier grant back with the term."""
    await db.execute(update(grants).where(grants.c.purchase_id == purchase_id,
                                          grants.c.revoked_at.is_(None))
                     .values(revoked_at=now, revoked_by="refund", revoke_reason=reason))


async def grant_for_term(uow: UnitOfWork, member: Row, held: str, rules: TierRules,
                         purchase_id: str, bought_at: datetime, term_end: datetime,
                         currency: str, **envelope: object) -> TierDecision | None:
    """A renew-and-upgrade purchase: the tier above the one held, from the purchase until the
    end of the term it bought; the move it made, if any. Nothing above the top tier."""
    tier = tier_above(rules, held)
    if tier is None or term_end <= uow.clock.now():
        return None
    _, decision = await grant(uow, member, held, rules, NewGrant(
        tier, "renewal", f"renew and upgrade, purchase {purchase_id}, until the term ends",
        bought_at, term_end, False, "renewal", purchase_id), currency, **envelope)
    return decision
