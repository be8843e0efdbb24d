"""Points: a member's balance and ledger, buying a coupon with points (Idempotency-Key),
campaign-task awards (ops:config, Idempotency-Key) and the expiry sweep (ops:config)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from services.rewards.api.schemas import Id, PointsAwardRequest, PointsRedemptionRequest
from services.rewards.jobs.points_expiry import expire_due
from services.rewards.rules.earning import task_earning
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons, points, segments
from services.rewards.store.member_facts import Activity
from services.rewards.store.members import lock_member
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.member_access import require_member_reader
from shared.http.paging import Limit
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext


def points_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(tags=["points"], responses=PROBLEM_RESPONSES)

    @router.get("/v1/members/{member_id}/points", summary="Balance and latest ledger entries",
                description="The member, ops with `ops:report`, or a POS terminal, which gets "
                "the balance only (`entries` empty): a checkout needs what can be spent, not "
                "where the points were earned.")
    async def member_points(member_id: Id, caller: Caller, limit: Limit = 50) -> dict:
        require_member_reader(caller, member_id, pos=True)
        async with context.engine.connect() as db:
            entries = [] if caller.role == "pos" else await points.latest_entries(
                db, member_id, limit)
            balance = await points.balance_of(db, member_id)
        return {"member_id": member_id, "balance": balance, "entries": entries}

    @router.post("/v1/members/{member_id}/points/redemptions", status_code=201,
                 summary="Buy a coupon with points (the member, or ops:adjust)")
    async def redeem(member_id: Id, body: PointsRedemptionRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        # Spending a member's points: the member, or ops allowed to move members' value.
        require_member_reader(caller, member_id, "ops:adjust")

        async def buy(uow: UnitOfWork) -> dict:
            await lock_member(uow.connection, member_id)
            template = await coupons.existing_template(uow.connection, body.template_id)
            coupon, spent = await coupons.buy_with_points(uow, member_id, template)
            # a redemption is activity: the member is not dormant (store/segments.py)
            await segments.record_and_refresh(uow.connection, [Activity(
                "redemption", str(coupon.coupon_id), member_id, 0, None, spent.occurred_at)],
                spent.occurred_at, context.settings.zone())
            return {"coupon": coupon.model_dump(mode="json"), "points_spent": spent.points,
                    "balance": spent.balance}

        return await idempotent_post(
            context.uow, caller, f"POST /v1/members/{member_id}/points/redemptions",
            idempotency_key, body, buy)

    @router.post("/v1/members/{member_id}/points/awards", status_code=201,
                 summary="Award points for a campaign task (ops:config)")
    async def award(member_id: Id, body: PointsAwardRequest, caller: Caller,
                    idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, "ops:config")

        async def credit(uow: UnitOfWork) -> dict:
            await lock_member(uow.connection, member_id)
            earned = await points.credit(uow, task_earning(member_id, body.points, body.task),
                                         uuid.uuid4(), context.settings.points_expiry_years, {})
            return earned.model_dump(mode="json")

        # Points are value: a retried award must not pay twice (Idempotency-Key required).
        return await idempotent_post(
            context.uow, caller, f"POST /v1/members/{member_id}/points/awards",
            idempotency_key, body, credit)

    @router.post("/v1/points/expiry-runs", summary="Expire every lot past its date (ops:config)")
    async def expire(caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        expired = await expire_due(context.uow, context.clock.now())
        return {"members": len(expired), "points_expired": sum(expired.values())}

    return router
