"""Coupons: templates (ops:config), issuance (ops:config), the POS check at checkout, and a
member's coupons. Redemption itself happens when wallet's PurchaseCompleted names the code."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from services.rewards import coupon_store
from services.rewards.coupons import CouponRefused, check_terms
from services.rewards.member_lock import lock_member
from services.rewards.schemas import (
    CouponTemplateRequest,
    Id,
    IssueCouponRequest,
    ValidateCouponRequest,
)
from shared.http.auth import Caller, require_member_access, require_role, require_scope
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

COUPON_FIELDS = ("coupon_id", "code", "member_id", "template_id", "kind", "value", "currency",
                 "min_spend", "valid_from", "valid_until", "reason", "issued_at", "redeemed_at",
                 "purchase_id", "voided_at")


def coupon_view(row: Mapping[str, Any]) -> dict:
    return {k: row[k] for k in COUPON_FIELDS}


def refused(error: CouponRefused) -> Problem:
    status = 404 if error.code == "coupon_not_found" else 422
    return Problem(status, error.code, error.detail)


def coupons_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(tags=["coupons"], responses=PROBLEM_RESPONSES)

    @router.post("/v1/coupon-templates", status_code=201, summary="A coupon template (ops:config)")
    async def create_template(body: CouponTemplateRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        try:
            check_terms(body.kind, body.value, body.currency, body.min_spend)
        except CouponRefused as error:
            raise refused(error) from error
        try:
            async with context.uow() as uow:
                await uow.connection.execute(text("""
                    INSERT INTO coupon_templates (template_id, name, kind, value, currency,
                        min_spend, valid_days, points_cost, created_by, created_at)
                    VALUES (:template_id, :name, :kind, :value, :currency, :min_spend,
                        :valid_days, :points_cost, :actor, :now)
                """), {**body.model_dump(), "actor": caller.identity, "now": context.clock.now()})
        except IntegrityError as error:
            raise Problem(409, "template_exists", f"Template {body.template_id} exists.") from error
        return body.model_dump()

    @router.get("/v1/coupon-templates", summary="Active coupon templates")
    async def templates(caller: Caller) -> dict:
        async with context.engine.connect() as db:
            rows = (await db.execute(text(
                "SELECT * FROM coupon_templates WHERE active ORDER BY template_id"))).mappings()
            return {"items": [dict(r) for r in rows]}

    @router.post("/v1/coupons", status_code=201, summary="Issue a coupon to a member (ops:config)")
    async def issue(body: IssueCouponRequest, caller: Caller) -> dict:
        require_scope(caller, "ops:config")
        async with context.uow() as uow:
            await lock_member(uow.connection, body.member_id)
            tpl = await coupon_store.template(uow.connection, body.template_id)
            if tpl is None:
                raise Problem(404, "template_not_found", f"No template {body.template_id}.")
            issued = await coupon_store.issue(uow, body.member_id, tpl, body.reason)
        return issued.model_dump(mode="json", include=set(COUPON_FIELDS) | {"member_id"})

    @router.post("/v1/coupons/validate", summary="Check a code at checkout (POS)")
    async def validate(body: ValidateCouponRequest, caller: Caller) -> dict:
        require_role(caller, "pos", "ops", "member")
        require_member_access(caller, body.member_id)
        try:
            async with context.engine.connect() as db:
                row, off = await coupon_store.check(db, body.code, body.member_id,
                                                    body.basket_total, body.currency,
                                                    context.clock.now())
        except CouponRefused as error:
            raise refused(error) from error
        return {"coupon_id": row["coupon_id"], "code": row["code"], "kind": row["kind"],
                "discount": off, "payable": body.basket_total - off, "currency": body.currency,
                "valid_until": row["valid_until"]}

    @router.get("/v1/members/{member_id}/coupons", summary="A member's coupons")
    async def member_coupons(member_id: Id, caller: Caller) -> dict:
        require_member_access(caller, member_id)
        async with context.engine.connect() as db:
            rows = (await db.execute(text(
                "SELECT * FROM coupons WHERE member_id = :m ORDER BY issued_at DESC LIMIT 200"),
                {"m": member_id})).mappings()
            return {"items": [coupon_view(r) for r in rows]}

    return router
