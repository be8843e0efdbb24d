"""The programs a preview compares: the offers as published, and the same with draft
versions in place of (or beside) them. Reads only; a preview writes nothing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from services.rewards.rules.offers import Program
from services.rewards.store.offers import GOVERNING_VERSIONS, is_live, json_value, program_from
from services.rewards.store.tier_programs import TierProgramTimeline
from shared.rule_violations import Conflict


async def published_and_draft(db: AsyncConnection, currency: str, at: datetime,
                              drafts: Sequence[Mapping[str, Any]]) -> tuple[Program, Program]:
    """Each draft takes its offer's governing version's place at `at` (a new offer_id adds
    one), keeping the campaign budget it has already spent, as publishing would. 409
    `offer_kind_mismatch` for a draft of another kind than its offer."""
    governing = {row["offer_id"]: {**row, "terms": json_value(row["terms"])}
                 for row in (await db.execute(GOVERNING_VERSIONS, {"at": at})).mappings().all()}
    with_drafts = dict(governing)
    for draft in drafts:
        current = governing.get(draft["offer_id"])
        if current is not None and current["kind"] != draft["kind"]:
            raise Conflict("offer_kind_mismatch", f"{draft['offer_id']} is a {current['kind']} offer.")
        spent = current["spent"] if current is not None and current["spent"] is not None else 0
        budget = draft["budget"] if draft["budget"] is not None else (
            current["budget"] if current is not None else None)  # publishing keeps the cap
        with_drafts[draft["offer_id"]] = {**draft, "budget": budget, "spent": spent}
    tiers = (await TierProgramTimeline.read(db, at)).at(at)

    def program(rows: Mapping[str, Mapping[str, Any]]) -> Program:
        live = [row for row in rows.values() if is_live(row, at)
                and row["currency"] in (None, currency)]
        return program_from(sorted(live, key=lambda row: row["offer_id"]), tiers)

    return program(governing), program(with_drafts)
