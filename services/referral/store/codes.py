"""Codes in the database: a member's active code (made on first ask), lookup,
deactivation and rotation, each change published as ReferralCodeChanged. A drawn code that
already exists is drawn again: the primary key decides, inside a savepoint, so a collision
never aborts the caller's transaction. The codes lock of the member orders their code
events (a member's code changes never wait for their referrals' lock, nor it for them)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.codes import new_code, normalise
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralCodeChanged
from shared.rule_violations import NotFound

ATTEMPTS = 5
ACTIVE = text("SELECT * FROM codes WHERE member_id = :m AND status = 'active'")


async def find(db: AsyncConnection, code: str) -> Mapping[str, Any] | None:
    return (await db.execute(text("SELECT * FROM codes WHERE code = :c"),
                             {"c": normalise(code)})).mappings().first()


async def active_code(db: AsyncConnection, member_id: str) -> Mapping[str, Any] | None:
    return (await db.execute(ACTIVE, {"m": member_id})).mappings().first()


def _changed(uow: UnitOfWork, row: Mapping[str, Any], now: datetime) -> None:
    uow.emit(ReferralCodeChanged(occurred_at=now, member_id=row["member_id"], code=row["code"],
                                 status=row["status"]))


async def code_for(uow: UnitOfWork, member_id: str, now: datetime) -> Mapping[str, Any]:
    """The member's active code, made now if they have none."""
    db = uow.connection
    await lock_codes_of(db, member_id)
    return await active_code(db, member_id) or await _insert(uow, member_id, now)


async def deactivate(uow: UnitOfWork, member_id: str, now: datetime) -> Mapping[str, Any]:
    db = uow.connection
    await lock_codes_of(db, member_id)
    row = (await db.execute(text("""
        UPDATE codes SET status = 'inactive', deactivated_at = :now
        WHERE member_id = :m AND status = 'active' RETURNING *
    """), {"m": member_id, "now": now})).mappings().first()
    if row is None:
        raise NotFound("code_not_found", f"Member {member_id} has no active referral code.")
    _changed(uow, row, now)
    return row


async def rotate(uow: UnitOfWork, member_id: str, now: datetime) -> Mapping[str, Any]:
    """A new active code; the old one stops working (referrals it made stay)."""
    db = uow.connection
    await lock_codes_of(db, member_id)
    retired = (await db.execute(text("""
        UPDATE codes SET status = 'inactive', deactivated_at = :now
        WHERE member_id = :m AND status = 'active' RETURNING *
    """), {"m": member_id, "now": now})).mappings().all()
    for row in retired:
        _changed(uow, row, now)
    return await _insert(uow, member_id, now)


async def lock_codes_of(db: AsyncConnection, member_id: str) -> None:
    # two "give me my code" calls at once must not both make one
    await db.execute(text("SELECT pg_advisory_xact_lock(hashtext('referral.codes'), hashtext(:m))"),
                     {"m": member_id})


async def _insert(uow: UnitOfWork, member_id: str, now: datetime) -> Mapping[str, Any]:
    for _ in range(ATTEMPTS):
        try:
            async with uow.connection.begin_nested():
                row = (await uow.connection.execute(text("""
                    INSERT INTO codes (code, member_id, status, created_at)
                    VALUES (:c, :m, 'active', :now) RETURNING *
                """), {"c": new_code(), "m": member_id, "now": now})).mappings().one()
        except IntegrityError:
            continue  # drew a code that exists: draw again
        _changed(uow, row, now)
        return row
    raise RuntimeError(f"no free referral code after {ATTEMPTS} draws")
