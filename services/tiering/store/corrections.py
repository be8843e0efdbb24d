"""Corrections of a member's profile: the change and its audit row in one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.corrections import changes
from services.tiering.store import tables
from services.tiering.store.members import MemberNotFound, lock_member


async def correct(db: AsyncConnection, member_id: str, given: dict[str, Any], actor: str,
                  now: datetime) -> dict[str, Any]:
    """Apply the given fields; audit those that changed (nothing changed: no audit row)."""
    member = await lock_member(db, member_id)
    if member is None:
        raise MemberNotFound(f"No member {member_id}.")
    changed = changes(member._mapping, given)
    if changed:
        await db.execute(update(tables.members).where(tables.members.c.member_id == member_id)
                         .values(**{field: given[field] for field in changed}))
        await db.execute(insert(tables.member_corrections).values(
            member_id=member_id, actor=actor, changed_at=now, changes=changed))
    return changed


async def corrections_of(db: AsyncConnection, member_id: str, after: int | None,
                         limit: int) -> list[dict[str, Any]]:
    """Oldest first, `limit` + 1 rows after the `after` correction (for paging)."""
    query = (select(tables.member_corrections)
             .where(tables.member_corrections.c.member_id == member_id)
             .order_by(tables.member_corrections.c.correction_id).limit(limit + 1))
    if after is not None:
        query = query.where(tables.member_corrections.c.correction_id > after)
    return [dict(row) for row in (await db.execute(query)).mappings()]
