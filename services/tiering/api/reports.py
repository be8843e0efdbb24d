"""Reports for ops (`ops:report`): renewal rate and churn, members per tier, upgrades and
downgrades over a period, entitlement usage. Periods are half-open, [from, to)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import text

from services.tiering.settings import TieringSettings
from services.tiering.store.entitlement_redemptions import usage
from shared.http.auth import Caller, require_scope
from shared.http.moments import Moment
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

From = Annotated[Moment, Query(alias="from", description="Start, inclusive (UTC).")]
To = Annotated[Moment, Query(alias="to", description="End, exclusive (UTC).")]

# A term is due when it ends in the period; renewed when a renewal continued it (bought
# early, or within the grace period); churned when its grace ran out without one.
RENEWALS = text("""
    SELECT count(*) AS due,
           count(*) FILTER (WHERE succeeded_by IS NOT NULL) AS renewed,
           count(*) FILTER (WHERE succeeded_by IS NULL AND term_end + :grace <= :now) AS churned
    FROM membership_terms
    WHERE term_end >= :start AND term_end < :end AND cancelled_at IS NULL
""")
PER_TIER = text("SELECT tier, count(*) AS members FROM members GROUP BY tier ORDER BY tier")
CHANGES = text("""
    SELECT direction, from_tier, to_tier, count(*) AS members FROM tier_changes
    WHERE effective_at >= :start AND effective_at < :end
    GROUP BY direction, from_tier, to_tier ORDER BY direction, from_tier, to_tier
""")


def _period(start: datetime, end: datetime) -> dict:
    if end <= start:
        raise Problem(422, "invalid_period", "`to` must be after `from`.")
    return {"start": start, "end": end}


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def reports_router(context: ServiceContext[TieringSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.get("/renewals", summary="Renewal rate and churn of the terms that ended in a period")
    async def renewals(caller: Caller, start: From, end: To) -> dict:
        require_scope(caller, "ops:report")
        params = {**_period(start, end), "now": context.clock.now(),
                  "grace": timedelta(days=settings.membership_grace_days)}
        async with context.engine.connect() as db:
            row = (await db.execute(RENEWALS, params)).one()
        return {"from": start, "to": end, "due": row.due, "renewed": row.renewed,
                "churned": row.churned, "pending": row.due - row.renewed - row.churned,
                "renewal_rate": _rate(row.renewed, row.due), "churn_rate": _rate(row.churned, row.due)}

    @router.get("/tiers", summary="Members per tier, now")
    async def members_per_tier(caller: Caller) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            rows = (await db.execute(PER_TIER)).all()
        return {"at": context.clock.now(), "tiers": {row.tier: row.members for row in rows}}

    @router.get("/tier-changes", summary="Upgrades and downgrades in a period")
    async def tier_change_counts(caller: Caller, start: From, end: To) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            rows = (await db.execute(CHANGES, _period(start, end))).all()
        moves = [dict(row._mapping) for row in rows]
        return {"from": start, "to": end,
                "upgrades": sum(m["members"] for m in moves if m["direction"] == "up"),
                "downgrades": sum(m["members"] for m in moves if m["direction"] == "down"),
                "moves": moves}

    @router.get("/entitlements", summary="Entitlements granted and redeemed in a period, per benefit")
    async def entitlement_usage(caller: Caller, start: From, end: To) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            benefits = await usage(db, **_period(start, end))
        return {"from": start, "to": end, "benefits": benefits}

    return router
