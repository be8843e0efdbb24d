"""The member registry in the database: locking a member, enrolling, and applying tier
decisions (row update, history row and `TierChanged` in the same transaction).

Every transaction that emits events about a member calls `lock_member` first, so that
member's transactions serialise and their events enter the outbox in order. A member not
(yet) enrolled has no row to lock: an advisory lock on the member id stands in for it, and
enrolment takes the same lock, so spend recorded just before enrolment is never missed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, literal_column, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.tiers import TierDecision, TierRules, upgrade
from services.tiering.store import qualifying, tables
from shared.dates import add_years
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import TierChanged
from shared.rule_violations import Conflict, NotFound

NEXT_NUMBER = text("SELECT nextval('member_number_seq')")
ADVISORY = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


class MemberAlreadyEnrolled(Conflict):
    def __init__(self, member_id: str) -> None:
        super().__init__("member_already_enrolled", f"{member_id} is already a member.")


class MemberNumberTaken(Conflict):
    def __init__(self, member_number: str) -> None:
        super().__init__("member_number_taken", f"Member number {member_number} is in use.")


class MemberNotFound(NotFound):
    def __init__(self, detail: str) -> None:
        super().__init__("member_not_found", detail)


@dataclass(frozen=True)
class Enrolment:
    member_id: str
    member_number: str | None
    store_id: str | None
    channel: str
    referral_code: str | None
    birthday: str | None
    locale: str
    phone: str | None
    email: str | None


async def _select_for_update(db: AsyncConnection, member_id: str) -> Row | None:
    statement = select(tables.members).where(tables.members.c.member_id == member_id).with_for_update()
    return (await db.execute(statement)).first()


async def lock_member(db: AsyncConnection, member_id: str) -> Row | None:
    """Lock the member's row (or, before enrolment, the member id); the row if enrolled."""
    if (row := await _select_for_update(db, member_id)) is not None:
        return row
    await db.execute(ADVISORY, {"key": f"tiering.member:{member_id}"})
    return await _select_for_update(db, member_id)


LOCK_ENROLLED = text("""
    SELECT * FROM members WHERE member_id = ANY(CAST(:ids AS text[]))
    ORDER BY member_id FOR UPDATE
""")
# unnest keeps the array's order, so the locks are taken in the (sorted) order given
ADVISORY_MANY = text("""
    SELECT pg_advisory_xact_lock(hashtextextended('tiering.member:' || member_id, 0))
    FROM unnest(CAST(:ids AS text[])) AS member_id
""")


async def lock_members(db: AsyncConnection, member_ids: Iterable[str]) -> dict[str, Row]:
    """`lock_member` for many members in three statements, in member id order (so two
    transactions locking overlapping sets never wait on each other in a cycle); the rows
    of those enrolled, by member id."""
    ids = sorted(set(member_ids))
    rows = {row.member_id: row for row in await db.execute(LOCK_ENROLLED, {"ids": ids})}
    missing = [member_id for member_id in ids if member_id not in rows]
    if missing:
        await db.execute(ADVISORY_MANY, {"ids": missing})
        # enrolled between the two statements: enrolment held the advisory lock until commit
        rows.update((row.member_id, row) for row in await db.execute(LOCK_ENROLLED, {"ids": missing}))
    return rows


async def find_member(db: AsyncConnection, *, member_id: str | None = None,
                      member_number: str | None = None) -> Row | None:
    column, value = ((tables.members.c.member_id, member_id) if member_id is not None
                     else (tables.members.c.member_number, member_number))
    return (await db.execute(select(tables.members).where(column == value))).first()


# The expression of the index members_by_phone (migration 0011): keep the two identical.
# Literal, not bound parameters: a generic plan with parameters would not match the index.
PHONE_DIGITS = literal_column("regexp_replace(members.phone, '[^0-9]', '', 'g')")


async def members_by_phone(db: AsyncConnection, digits: str, after: str | None,
                           limit: int) -> list[Row]:
    """Members whose phone has these digits (rules/phones.py), by member id, a page of
    `limit` and one more (to tell whether there is a next page)."""
    statement = (select(tables.members)
                 .where(tables.members.c.phone.is_not(None), PHONE_DIGITS == digits)
                 .order_by(tables.members.c.member_id).limit(limit + 1))
    if after is not None:
        statement = statement.where(tables.members.c.member_id > after)
    return list((await db.execute(statement)).all())


async def enrolled_member(db: AsyncConnection, member_id: str) -> Row:
    """The enrolled member; `MemberNotFound` (404) if there is none."""
    if (row := await find_member(db, member_id=member_id)) is None:
        raise MemberNotFound(f"No member {member_id}.")
    return row


async def enroll(db: AsyncConnection, enrolment: Enrolment, lowest_tier: str, now: datetime) -> Row:
    if await lock_member(db, enrolment.member_id) is not None:
        raise MemberAlreadyEnrolled(enrolment.member_id)
    number = enrolment.member_number
    if number is None:
        number = f"M{(await db.execute(NEXT_NUMBER)).scalar_one():08d}"
    elif await find_member(db, member_number=number) is not None:
        raise MemberNumberTaken(number)
    values = {**enrolment.__dict__, "member_number": number, "tier": lowest_tier,
              "tier_since": now, "review_at": add_years(now, 1), "enrolled_at": now}
    await db.execute(insert(tables.members).values(**values))
    return await _select_for_update(db, enrolment.member_id)


async def apply_decision(uow: UnitOfWork, member: Row, decision: TierDecision, rules: TierRules,
                         currency: str, now: datetime, **envelope: object) -> None:
    db = uow.connection
    await db.execute(update(tables.members).where(tables.members.c.member_id == member.member_id)
                     .values(tier=decision.to_tier, tier_since=now))
    await db.execute(insert(tables.tier_changes).values(
        member_id=member.member_id, from_tier=decision.from_tier, to_tier=decision.to_tier,
        direction=decision.direction, reason=decision.reason,
        qualifying_amount=decision.qualifying_amount, rules_version=rules.version,
        effective_at=now))
    uow.emit(TierChanged(
        **{"member_id": member.member_id, **envelope}, occurred_at=now,
        from_tier=decision.from_tier, to_tier=decision.to_tier, direction=decision.direction,
        reason=decision.reason, qualifying_amount=decision.qualifying_amount, currency=currency,
        effective_at=now))


async def upgrade_if_qualified(uow: UnitOfWork, member: Row, rules: TierRules, currency: str,
                               **envelope: object) -> TierDecision | None:
    now = uow.clock.now()
    decision = upgrade(rules, member.tier, await qualifying.standing(uow.connection, member.member_id, now))
    if decision is not None:
        await apply_decision(uow, member, decision, rules, currency, now, **envelope)
    return decision
