"""What rewards knows of a member's recharges, each with its bonus decision."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from services.rewards.api.schemas import Id
from services.rewards.settings import RewardsSettings
from services.rewards.store.offers import json_value
from shared.http.auth import Caller
from shared.http.member_access import require_member_reader
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

RECHARGES = text("""
    SELECT r.recharge_id, r.member_id, r.amount, r.currency, r.occurred_at, r.store_id,
           d.grant_id, d.status AS bonus_status, d.amount AS bonus_amount, d.rules, d.reasons
    FROM recharges_seen r LEFT JOIN bonus_decisions d USING (recharge_id)
    WHERE r.member_id = :member ORDER BY r.occurred_at LIMIT 200
""")


def members_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/members", tags=["recharges"], responses=PROBLEM_RESPONSES)

    @router.get("/{member_id}/recharges", summary="A member's recharges and their bonus decisions")
    async def member_recharges(member_id: Id, caller: Caller) -> list[dict]:
        require_member_reader(caller, member_id)
        async with context.engine.connect() as db:
            rows = (await db.execute(RECHARGES, {"member": member_id})).mappings().all()
        return [{**row, "rules": json_value(row["rules"]), "reasons": json_value(row["reasons"])}
                for row in rows]

    return router
