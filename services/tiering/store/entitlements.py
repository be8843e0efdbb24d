"""Entitlements in the database: the versioned benefit definitions, and the grants a tier
or a membership term makes (each with `EntitlementGranted`, in the granting transaction).

A grant is unique per (member, code, period start): reaching gold twice in a year, or a
redelivered event, grants nothing more (`ON CONFLICT DO NOTHING`, and only a new row is
announced).
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.entitlements import (
    DEFAULT_DEFINITIONS,
    Benefit,
    Definitions,
    Grant,
    term_grants,
    tier_grants,
)
from services.tiering.store import tables
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import EntitlementGranted

definitions_table = tables.entitlement_definitions
GRANT = text("""
    INSERT INTO entitlements (entitlement_id, member_id, code, quota, period_start, period_end,
        granted_for, tier, term_id, definitions_version, granted_at)
    VALUES (:entitlement_id, :member_id, :code, :quota, :period_start, :period_end,
        :granted_for, :tier, :term_id, :definitions_version, :now)
    ON CONFLICT (member_id, code, period_start) DO NOTHING
    RETURNING entitlement_id
""")
# What a member holds now or later: current and upcoming periods, soonest ending first.
HELD = text("""
    SELECT entitlement_id, code, quota, used, quota - used AS remaining, period_start,
           period_end, granted_for, tier, term_id
    FROM entitlements WHERE member_id = :member_id AND period_end > :now
    ORDER BY period_end, code
""")


def _from_json(benefits: list[dict]) -> tuple[Benefit, ...]:
    return tuple(Benefit(**{**b, "tiers": tuple(b["tiers"])}) for b in benefits)


async def definitions_in_force(db: AsyncConnection) -> Definitions:
    statement = select(definitions_table).order_by(definitions_table.c.version.desc()).limit(1)
    row = (await db.execute(statement)).first()
    if row is None:
        return DEFAULT_DEFINITIONS
    return Definitions(_from_json(row.benefits), row.version)


async def publish_definitions(db: AsyncConnection, definitions: Definitions, actor: str,
                              now: datetime) -> Definitions:
    """Store `definitions` as the next version (the table lock keeps versions gap-free).
    Grants made from now on follow it; entitlements already granted keep their quota."""
    await db.exec_driver_sql("LOCK TABLE entitlement_definitions IN SHARE ROW EXCLUSIVE MODE")
    latest = (await db.execute(select(func.coalesce(func.max(definitions_table.c.version), 0))
                               )).scalar_one()
    await db.execute(insert(definitions_table).values(
        version=latest + 1, benefits=[asdict(b) for b in definitions.benefits],
        created_by=actor, created_at=now))
    return Definitions(definitions.benefits, latest + 1)


async def _grant(uow: UnitOfWork, member_id: str, grants: list[Grant], definitions: Definitions,
                 envelope: dict, *, tier: str | None = None,
                 term_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    now, granted = uow.clock.now(), []
    for grant in grants:
        entitlement_id = uuid.uuid4()
        values = {"entitlement_id": entitlement_id, "member_id": member_id,
                  "granted_for": "term" if term_id else "tier", "tier": tier, "term_id": term_id,
                  "definitions_version": definitions.version, "now": now, **asdict(grant)}
        if (await uow.connection.execute(GRANT, values)).first() is None:
            continue  # this period was granted before
        granted.append(entitlement_id)
        uow.emit(EntitlementGranted(
            **{"member_id": member_id, **envelope}, occurred_at=now,
            entitlement_id=str(entitlement_id), code=grant.code, quota=grant.quota,
            period_start=grant.period_start, period_end=grant.period_end,
            granted_for=values["granted_for"], tier=tier,
            term_id=str(term_id) if term_id else None, definitions_version=definitions.version))
    return granted


async def grant_for_tier(uow: UnitOfWork, member_id: str, tier: str, zone: str, /,
                         **envelope: object) -> list[uuid.UUID]:
    """The tier's calendar-year benefits, for the year of now (the member row is locked).
    Positional-only: `envelope` (an incoming event's `caused()`) names the member too."""
    definitions = await definitions_in_force(uow.connection)
    grants = tier_grants(definitions, tier, uow.clock.now(), zone)
    return await _grant(uow, member_id, grants, definitions, envelope, tier=tier) if grants else []


async def grant_for_term(uow: UnitOfWork, member_id: str, tier: str | None, term_id: uuid.UUID,
                         term_start: datetime, term_end: datetime, years: int, /,
                         **envelope: object) -> list[uuid.UUID]:
    """A new membership term's benefits, for the term's span."""
    definitions = await definitions_in_force(uow.connection)
    grants = term_grants(definitions, tier, term_start, term_end, years)
    return await _grant(uow, member_id, grants, definitions, envelope,
                        tier=tier, term_id=term_id) if grants else []


async def held_by(db: AsyncConnection, member_id: str, now: datetime) -> list[dict]:
    return [dict(row._mapping) for row in await db.execute(HELD, {"member_id": member_id,
                                                                   "now": now})]
