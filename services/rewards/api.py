"""Rewards HTTP API. For now: what rewards has seen of a member's recharges (ops)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy import select

from services.rewards import tables
from shared.http.app import service_app
from shared.http.auth import Caller, require_member_access, require_role
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def recharges_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/members", tags=["recharges"], responses=PROBLEM_RESPONSES)

    @router.get("/{member_id}/recharges", summary="Recharges rewards has evaluated for a member")
    async def member_recharges(member_id: str, caller: Caller) -> list[dict]:
        require_role(caller, "ops", "member")
        require_member_access(caller, member_id)
        statement = (select(tables.recharges_seen)
                     .where(tables.recharges_seen.c.member_id == member_id)
                     .order_by(tables.recharges_seen.c.occurred_at).limit(100))
        async with context.engine.connect() as connection:
            rows = (await connection.execute(statement)).mappings().all()
        return [dict(row) for row in rows]

    return router


def create_app(context: ServiceContext) -> FastAPI:
    return service_app(
        context, title="Patronage rewards",
        description="Bonus rules, the fraud screen, points, coupons and campaigns.",
        routers=[recharges_router(context)],
    )
