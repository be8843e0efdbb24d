"""Versioned tier rules in the database: the highest version is in force; without any
stored version the settings' default ladder (version 0) applies."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.tiers import Benefits, Tier, TierRules
from services.tiering.store import tables
from shared.rule_violations import NotFound


class RulesVersionNotFound(NotFound):
    pass


def ladder_to_json(tiers: tuple[Tier, ...]) -> list[dict]:
    return [asdict(tier) for tier in tiers]


def ladder_from_json(ladder: list[dict]) -> tuple[Tier, ...]:
    return tuple(
        Tier(t["name"], t["spend_threshold"], t["recharge_threshold"],
             Benefits(**{**t["benefits"], "free_services": tuple(t["benefits"]["free_services"])}))
        for t in ladder)


def _rules(row) -> TierRules:
    return TierRules(row.measure, ladder_from_json(row.ladder), row.version)


async def rules_in_force(db: AsyncConnection, default: TierRules) -> TierRules:
    statement = select(tables.tier_rule_sets).order_by(tables.tier_rule_sets.c.version.desc()).limit(1)
    row = (await db.execute(statement)).first()
    return _rules(row) if row else default


async def rules_version(db: AsyncConnection, version: int, default: TierRules) -> TierRules:
    """One stored version (0 is the settings' default); `RulesVersionNotFound` (404)."""
    if version == 0:
        return default
    statement = select(tables.tier_rule_sets).where(tables.tier_rule_sets.c.version == version)
    if (row := (await db.execute(statement)).first()) is None:
        raise RulesVersionNotFound("rules_version_not_found", f"No tier rules version {version}.")
    return _rules(row)


async def publish_rules(db: AsyncConnection, rules: TierRules, actor: str, now: datetime) -> TierRules:
    """Store `rules` as the next version. The table lock keeps versions gap-free under
    concurrent publishers."""
    await db.exec_driver_sql("LOCK TABLE tier_rule_sets IN SHARE ROW EXCLUSIVE MODE")
    highest = func.coalesce(func.max(tables.tier_rule_sets.c.version), 0)
    latest = (await db.execute(select(highest))).scalar_one()
    version = latest + 1
    await db.execute(insert(tables.tier_rule_sets).values(
        version=version, measure=rules.measure, ladder=ladder_to_json(rules.tiers),
        created_by=actor, created_at=now))
    return TierRules(rules.measure, rules.tiers, version)


async def rules_history(db: AsyncConnection) -> list[dict]:
    """Every stored version, newest first: who published it and when (version 0, the
    settings' default, was published by no one)."""
    t = tables.tier_rule_sets
    statement = select(t.c.version, t.c.measure, t.c.created_by, t.c.created_at).order_by(
        t.c.version.desc())
    return [dict(row._mapping) for row in await db.execute(statement)]
