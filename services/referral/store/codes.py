"""Codes in the database: a member's active code (made on first ask), lookup,
deactivation and rotation. A drawn code that already exists is drawn again: the primary
key decides, inside a savepoint, so a collision never aborts the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.codes import new_code, normalise
from shared.rule_violations import NotFound

ATTEMPTS = 5
ACTIVE = text("SELECT * FROM codes WHERE member_id = :m AND status = 'active'")


async def find(db: AsyncConnection, code: str) -> Mapping[str, Any] | None:
    return (await db.execute(text("SELECT * FROM codes WHERE code = :c"),
                             {"c": normalise(code)})).mappings().first()


async def active_code(db: AsyncConnection, member_id: str) -> Mapping[str, Any] | None:
    return (await db.execute(ACTIVE, {"m": member_id})).mappings().first()


async def code_for(db: AsyncConnection, member_id: str, now: datetime) -> Mapping[str, Any]:
    """The member's active code, made now if they have none."""
    await lock_codes_of(db, member_id)
    return await active_code(db, member_id) or await _insert(db, member_id, now)


async def deactivate(db: AsyncConnection, member_id: str, now: datetime) -> Mapping[str, Any]:
    await lock_codes_of(db, member_id)
    row = (await db.execute(text("""
        UPDATE codes SET status = 'inactive', deactivated_at = :now
        WHERE member_id = :m AND status = 'active' RETURNING *
    """), {"m": member_id, "now": now})).mappings().first()
    if row is None:
        raise NotFound("code_not_found", f"Member {member_id} has no active referral code.")
    return row


async def rotate(db: AsyncConnection, member_id: str, now: datetime) -> Mapping[str, Any]:
    """A new active code; the old one stops working (referrals it made stay)."""
    await lock_codes_of(db, member_id)
    await db.execute(text("""
        UPDATE codes SET status = 'inactive', deactivated_at = :now
        WHERE member_id = :m AND status = 'active'
    """), {"m": member_id, "now": now})
    return await _insert(db, member_id, now)


async def lock_codes_of(db: AsyncConnection, member_id: str) -> None:
    # two "give me my code" calls at once must not both make one
    await db.execute(text("SELECT pg_advisory_xact_lock(hashtext('referral.codes'), hashtext(:m))"),
                     {"m": member_id})


async def _insert(db: AsyncConnection, member_id: str, now: datetime) -> Mapping[str, Any]:
    for _ in range(ATTEMPTS):
        try:
            async with db.begin_nested():
                return (await db.execute(text("""
                    INSERT INTO codes (code, member_id, status, created_at)
                    VALUES (:c, :m, 'active', :now) RETURNING *
                """), {"c": new_code(), "m": member_id, "now": now})).mappings().one()
        except IntegrityError:
            continue  # drew a code that exists: draw again
    raise RuntimeError(f"no free referral code after {ATTEMPTS} draws")
