"""Tier grants in the database: granting (the row, and the member raised to the tier at once
with `TierChanged`, or, for a grant that starts later, by the scheduler when it starts:
`applied_at` marks the start acted on, once), the grants active at a moment (the tier
review keeps them), a member's grants, and revocation. The rows are the business audit:
who granted, why, who revoked.

Callers lock the member first (`members.lock_member`), as for every event about a member.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, tuple_, update
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
    starts_now = new.starts_at <= now
    inserted = await uow.connection.execute(insert(grants).values(
        grant_id=grant_id, member_id=member.member_id, granted_at=now,
        applied_at=now if starts_now else None, **new.__dict__)
        .on_conflict_do_nothing(index_elements=["purchase_id"]).returning(grants))
    if (row := inserted.first()) is None:
        return None, None
    decision = await start(uow, member, held, rules, row, currency, **envelope) if starts_now else None
    return row, decision


async def start(uow: UnitOfWork, member: Row, held: str, rules: TierRules, grant_row: Row,
                currency: str, **envelope: object) -> TierDecision | None:
    """A grant taking effect: the member up to its tier if that is above the one held."""
    now = uow.clock.now()
    standing = await qualifying.standing(uow.connection, member.member_id, now)
    decision = raise_to_grant(rules, held, grant_row.tier, grant_row.reason,
                              standing.of(measures_of(rules)[0]))
    if decision is not None:
        await apply_decision(uow, member, decision, rules, currency, now, **envelope,
                             grant_id=str(grant_row.grant_id),
                             grant_expires_at=grant_row.expires_at)
    return decision


DUE_TO_START = text("""
    SELECT grant_id, member_id, starts_at FROM tier_grants
    WHERE applied_at IS NULL AND starts_at <= :now AND (starts_at, grant_id) > (:after_start, :after_id)
    ORDER BY starts_at, grant_id
    LIMIT :limit
""")
CLAIM_START = text("""
    UPDATE tier_grants SET applied_at = :now
    WHERE grant_id = :grant_id AND applied_at IS NULL
    RETURNING *
""")


async def due_to_start(db: AsyncConnection, now: datetime, after: tuple[datetime, uuid.UUID],
                       limit: int) -> list[Row]:
    """The next keyset batch of grants whose start has come and was not acted on yet."""
    return list((await db.execute(DUE_TO_START, {
        "now": now, "after_start": after[0], "after_id": after[1], "limit": limit})).all())


async def claim_start(db: AsyncConnection, grant_id: uuid.UUID, now: datetime) -> Row | None:
    """Mark the grant started; its row if this transaction is the one that did (once only)."""
    return (await db.execute(CLAIM_START, {"grant_id": grant_id, "now": now})).first()


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
                         purchase_id: str, term_start: datetime, term_end: datetime,
                         currency: str, **envelope: object) -> TierDecision | None:
    """A renew-and-upgrade purchase: the tier above the one held, for exactly the term it
    bought (from its start, which is later than now for a renewal stacked on the current
    term: the scheduler starts it then); the move it made now, if any. Nothing above the
    top tier."""
    tier = tier_above(rules, held)
    if tier is None or term_end <= uow.clock.now():
        return None
    _, decision = await grant(uow, member, held, rules, NewGrant(
        tier, "renewal", f"renew and upgrade, purchase {purchase_id}, until the term ends",
        term_start, term_end, False, "renewal", purchase_id), currency, **envelope)
    return decision
