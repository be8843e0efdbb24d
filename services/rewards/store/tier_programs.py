"""The local projection of tiering's tier programs (`TierProgramPublished`): the multipliers
rewards pays, never numbers of its own. Rewards never asks tiering synchronously.

At a moment `t` the governing program is the highest version with `effective_from <= t`;
before any, the shared defaults (version 0), which tiering's default ladder shows too. A
redelivered or late event changes nothing (one row per version)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.offers import TierMultipliers, default_tier_multipliers
from services.rewards.store import tables
from shared.events.tiering import TierProgramPublished

PROGRAMS_UNTIL = text("""
    SELECT version, effective_from, tiers FROM tier_programs
    WHERE effective_from <= :until ORDER BY version DESC
""")


async def record_program(db: AsyncConnection, event: TierProgramPublished) -> None:
    await db.execute(insert(tables.tier_programs).values(
        version=event.program_version, effective_from=event.effective_from,
        tiers=[tier.model_dump(mode="json") for tier in event.tiers], event_id=event.event_id,
    ).on_conflict_do_nothing(index_elements=["version"]))


def multipliers_from(row: Mapping[str, Any]) -> TierMultipliers:
    tiers = row["tiers"]
    return TierMultipliers(int(row["version"]),
                           {t["name"]: t["points_multiplier_bps"] for t in tiers},
                           {t["name"]: t["bonus_multiplier_bps"] for t in tiers})


class TierProgramTimeline:
    """The programs published up to a moment, read once for a consumer batch."""

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self._rows = rows  # newest version first

    @classmethod
    async def read(cls, db: AsyncConnection, until: datetime) -> TierProgramTimeline:
        return cls((await db.execute(PROGRAMS_UNTIL, {"until": until})).mappings().all())

    def moments(self) -> set[datetime]:
        return {row["effective_from"] for row in self._rows}

    def at(self, moment: datetime) -> TierMultipliers:
        for row in self._rows:
            if row["effective_from"] <= moment:
                return multipliers_from(row)
        return default_tier_multipliers()
