"""Points: a member's balance and ledger, buying a coupon with points (Idempotency-Key),
campaign-task awards (ops:config) and the expiry sweep (ops:config)."""

from __future__ import annotations

import uuid
from typing import Annotated

import orjson
from fastapi import APIRouter, Header, Query, Response

from services.rewards import coupon_store, earning, points_ledger
from services.rewards.member_lock import lock_member
from services.rewards.points import NotEnoughPoints
from services.rewards.points_spending import expire_due
from services.rewards.schemas import Id, PointsAwardRequest, PointsRedemptionRequest
from shared.http import idempotency
from shared.http.auth import Caller, require_member_access, require_role, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def points_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["points"], responses=PROBLEM_RESPONSES)

    @router.get("/v1/members/{member_id}/points", summary="Balance and latest ledger entries")
    async def member_points(member_id: Id, caller: Caller,
                            limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict:
        require_member_access(caller, member_id)
        async with context.engine.connect() as db:
            entries = await points_ledger.history(db, member_id, limit)
            balance = await points_ledger.balance_of(db, member_id)
        return {"member_id": member_id, "balance": balance, "entries": entries}

    @router.post("/v1/members/{member_id}/points/redemptions", status_code=201,
                 summary="Buy a coupon with points")
    async def redeem(member_id: Id, body: PointsRedemptionRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        require_role(caller, "member", "ops")
        require_member_access(caller, member_id)
        key = idempotency.require_key(idempotency_key)
        scope = f"{caller.identity} POST /v1/members/{member_id}/points/redemptions"
        fingerprint = idempotency.request_fingerprint(body.model_dump(mode="json"))
        async with context.uow() as uow:
            stored = await idempotency.replay_or_claim(uow.connection, scope, key, fingerprint)
            if stored is not None:
                return Response(stored.body, stored.status_code, media_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
            await lock_member(uow.connection, member_id)
            tpl = await coupon_store.template(uow.connection, body.template_id)
            if tpl is None:
                raise Problem(404, "template_not_found", f"No template {body.template_id}.")
            if tpl["points_cost"] is None:
                raise Problem(422, "template_not_for_points", "This coupon cannot be bought with points.")
            try:
                coupon, spent = await coupon_store.buy_with_points(uow, member_id, tpl)
            except NotEnoughPoints as short:
                raise Problem(422, "insufficient_points", str(short), balance=short.balance) from short
            payload = orjson.dumps({"coupon": coupon.model_dump(mode="json"),
                                    "points_spent": spent.points, "balance": spent.balance})
            await idempotency.remember(uow.connection, scope, key, fingerprint, 201, payload)
        return Response(payload, 201, media_type="application/json")

    @router.post("/v1/members/{member_id}/points/awards", status_code=201,
                 summary="Award points for a campaign task (ops:config)")
    async def award(member_id: Id, body: PointsAwardRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.uow() as uow:
            await lock_member(uow.connection, member_id)
            earned = await earning.credit_earning(
                uow, earning.Earning(member_id, body.points, "campaign", f"task:{body.task}"),
                uuid.uuid4(), context.settings)
        return earned.model_dump(mode="json")

    @router.post("/v1/points/expiry-runs", summary="Expire every lot past its date (ops:config)")
    async def expire(caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        expired = await expire_due(context.uow, context.clock.now())
        return {"members": len(expired), "points_expired": sum(expired.values())}

    return router
