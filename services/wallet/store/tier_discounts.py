"""The wallet's projection of tiering's tiers, for the tier discount at the till: each
member's tier (`TierChanged`) and each tier's discount (`TierProgramPublished`). The wallet
never asks tiering; a purchase reads the member's discount with one indexed statement, and
only when the merchant turned the discount on.

A member with no row has never moved and is in the lowest tier (rank 0). Until tiering
publishes a program the default ladder's discounts apply (the migration seeds them as
version 0, from shared/tier_benefits.py, as tiering's own version 0).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.events.tiering import TierChanged, TierProgramPublished

# Idempotent and order-proof: a redelivered or older change never overwrites a newer one.
MOVE = text("""
    INSERT INTO member_tiers (member_id, tier, effective_at)
    SELECT * FROM unnest(CAST(:member_ids AS text[]), CAST(:tiers AS text[]),
                         CAST(:effective_at AS timestamptz[]))
    ON CONFLICT (member_id) DO UPDATE SET tier = excluded.tier, effective_at = excluded.effective_at
    WHERE member_tiers.effective_at < excluded.effective_at
""")
CURRENT_VERSION = text("SELECT coalesce(max(program_version), 0) FROM tier_discounts")
REPLACE = text("""
    INSERT INTO tier_discounts (tier, rank, discount_bps, program_version)
    SELECT * FROM unnest(CAST(:tiers AS text[]), CAST(:ranks AS int[]), CAST(:bps AS int[]),
                         CAST(:versions AS int[]))
""")
# One statement on the primary keys: the member's tier, or the lowest for a member who
# never moved; no row when the member's tier is not in the program in force.
DISCOUNT = text("""
    SELECT d.tier, d.discount_bps FROM tier_discounts d
    LEFT JOIN member_tiers m ON m.member_id = :member_id
    WHERE d.tier = m.tier OR (m.tier IS NULL AND d.rank = 0)
""")


async def move_members(db: AsyncConnection, events: Sequence[TierChanged]) -> None:
    """A consumer batch's tier changes in one statement (the latest per member)."""
    latest: dict[str, TierChanged] = {}
    for event in events:
        if event.member_id not in latest or latest[event.member_id].effective_at < event.effective_at:
            latest[event.member_id] = event
    await db.execute(MOVE, {"member_ids": list(latest),
                            "tiers": [e.to_tier for e in latest.values()],
                            "effective_at": [e.effective_at for e in latest.values()]})


async def publish_program(db: AsyncConnection, event: TierProgramPublished) -> None:
    """The program's discounts replace the ones in force, unless a newer one is in force."""
    await db.exec_driver_sql("LOCK TABLE tier_discounts IN SHARE ROW EXCLUSIVE MODE")
    if (await db.execute(CURRENT_VERSION)).scalar_one() >= event.program_version:
        return
    await db.execute(text("DELETE FROM tier_discounts"))
    await db.execute(REPLACE, {"tiers": [t.name for t in event.tiers],
                               "ranks": list(range(len(event.tiers))),
                               "bps": [t.discount_bps for t in event.tiers],
                               "versions": [event.program_version] * len(event.tiers)})


async def discount_of(db: AsyncConnection, member_id: str) -> tuple[str, int] | None:
    """The member's tier and its discount in basis points; none if the tier is unknown."""
    row = (await db.execute(DISCOUNT, {"member_id": member_id})).first()
    return (row.tier, row.discount_bps) if row else None
