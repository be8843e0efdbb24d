"""Coupons: templates (ops:config), issuance (ops:config), the POS check at checkout, and a
member's coupons. Redemption itself happens when wallet's PurchaseCompleted names the code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Response
from sqlalchemy import text

from services.rewards.api.schemas import (
    CouponTemplateRequest,
    Id,
    IssueCouponRequest,
    ValidateCouponRequest,
)
from services.rewards.rules.coupons import check_terms
from services.rewards.settings import RewardsSettings
from services.rewards.store import coupons
from services.rewards.store.members import lock_member
from shared.db.unit_of_work import UnitOfWork
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.member_access import require_member_reader
from shared.http.problems import PROBLEM_RESPONSES
from shared.service import ServiceContext

COUPON_FIELDS = ("coupon_id", "code", "member_id", "template_id", "kind", "value", "currency",
                 "min_spend", "valid_from", "valid_until", "reason", "issued_at", "redeemed_at",
                 "purchase_id", "voided_at")


def coupon_view(row: Mapping[str, Any]) -> dict:
    return {k: row[k] for k in COUPON_FIELDS}


def coupons_router(context: ServiceContext[RewardsSettings]) -> APIRouter:
    router = APIRouter(tags=["coupons"], responses=PROBLEM_RESPONSES)

    @router.post("/v1/coupon-templates", status_code=201, summary="A coupon template (ops:config)")
    async def create_template(body: CouponTemplateRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        check_terms(body.kind, body.value, body.currency, body.min_spend)
        async with context.uow() as uow:
            await coupons.add_template(uow.connection, body.model_dump(), caller.identity,
                                       context.clock.now())
        return body.model_dump()

    @router.get("/v1/coupon-templates", summary="Active coupon templates")
    async def templates(caller: Caller) -> dict:
        async with context.engine.connect() as db:
            rows = (await db.execute(text(
                "SELECT * FROM coupon_templates WHERE active ORDER BY template_id"))).mappings()
            return {"items": [dict(r) for r in rows]}

    @router.post("/v1/coupons", status_code=201, summary="Issue a coupon to a member (ops:config)")
    async def issue(body: IssueCouponRequest, caller: Caller,
                    idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, "ops:config")

        async def issue_one(uow: UnitOfWork) -> dict:
            await lock_member(uow.connection, body.member_id)
            tpl = await coupons.existing_template(uow.connection, body.template_id)
            issued = await coupons.issue(uow, body.member_id, tpl, body.reason)
            return issued.model_dump(mode="json", include=set(COUPON_FIELDS) | {"member_id"})

        # A coupon is value: a retried issue must not give a second one (Idempotency-Key).
        return await idempotent_post(context.uow, caller, "POST /v1/coupons", idempotency_key,
                                     body, issue_one)

    @router.post("/v1/coupons/validate", summary="Check a code at checkout (POS)")
    async def validate(body: ValidateCouponRequest, caller: Caller) -> dict:
        require_member_reader(caller, body.member_id, pos=True)
        async with context.engine.connect() as db:
            row, off = await coupons.check(db, body.code, body.member_id, body.basket_total,
                                           body.currency, context.clock.now())
        return {"coupon_id": row["coupon_id"], "code": row["code"], "kind": row["kind"],
                "discount": off, "payable": body.basket_total - off, "currency": body.currency,
                "valid_until": row["valid_until"]}

    @router.get("/v1/members/{member_id}/coupons",
                summary="A member's coupons (the member, a POS to redeem them, ops:report)")
    async def member_coupons(member_id: Id, caller: Caller) -> dict:
        require_member_reader(caller, member_id, pos=True)
        async with context.engine.connect() as db:
            rows = (await db.execute(text(
                "SELECT * FROM coupons WHERE member_id = :m ORDER BY issued_at DESC LIMIT 200"),
                {"m": member_id})).mappings()
            return {"items": [coupon_view(r) for r in rows]}

    return router
