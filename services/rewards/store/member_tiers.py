"""The local projection of members' tiers, from tiering's TierChanged: rewards never asks
tiering synchronously. A late, older TierChanged never overwrites a newer one."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events.tiering import TierChanged

UPSERT = text("""
    INSERT INTO member_tiers (member_id, tier, effective_at) VALUES (:member, :tier, :at)
    ON CONFLICT (member_id) DO UPDATE SET tier = excluded.tier, effective_at = excluded.effective_at
    WHERE member_tiers.effective_at <= excluded.effective_at
""")


async def record_tier_change(db: AsyncConnection, event: TierChanged) -> None:
    await db.execute(UPSERT, {"member": event.member_id, "tier": event.to_tier,
                              "at": event.effective_at})


async def tiers_of(db: AsyncConnection, member_ids: Sequence[str]) -> dict[str, str]:
    """The members' tiers as last recorded; members without one are absent."""
    rows = await db.execute(text(
        "SELECT member_id, tier FROM member_tiers WHERE member_id = ANY(CAST(:m AS text[]))"),
        {"m": list(member_ids)})
    return {row.member_id: row.tier for row in rows}
