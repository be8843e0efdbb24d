"""Operations: audited adjustments (`ops:adjust`), the ledger check and the liability report
(`ops:report`), and running bonus expiry now (`ops:adjust`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.wallet.api.schemas import receipt
from services.wallet.api.schemas.ops import AdjustmentReceipt, AdjustmentRequest
from services.wallet.rules.currencies import check_currency
from services.wallet.settings import WalletSettings
from services.wallet.store.adjustments import adjust_wallet
from services.wallet.store.expiry import expire_bonus_lots
from services.wallet.store.liability import liability_report
from services.wallet.store.verification import verify_ledger
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.moments import Moment
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext


def ops_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/ops", tags=["ops"], responses=PROBLEM_RESPONSES)

    @router.post("/adjustments", status_code=201, response_model=AdjustmentReceipt,
                 summary="Correct a wallet (audited: reason and actor); emits WalletAdjusted",
                 description="Positive deltas make a new lot; negative ones take from the "
                 "soonest-expiring lots (422 `insufficient_balance` when not held). 422 "
                 "`adjustment_is_empty` when both deltas are zero.")
    async def create_adjustment(body: AdjustmentRequest, caller: Caller,
                                idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, "ops:adjust")
        check_currency(context.settings.currencies, body.currency)
        if body.principal_delta == 0 and body.bonus_delta == 0:
            raise Problem(422, "adjustment_is_empty", "An adjustment must change principal or bonus.")
        return await idempotent_post(context.uow, caller, "POST /v1/ops/adjustments",
                                     idempotency_key, body,
                                     lambda uow: receipt(AdjustmentReceipt,
                                                         adjust_wallet(uow, body, caller.identity)))

    @router.get("/ledger/verify", summary="Check every ledger invariant",
                description="Entries balance; cached balances = ledger lines = lots; nothing "
                "negative. `ok` false lists the problems.",
                responses={200: {"content": {"application/json": {"example": {
                    "ok": True, "problems": [], "wallets": 1200, "entries": 5310, "lots": 2400}}}}})
    async def verify(caller: Caller) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            return await verify_ledger(db)

    @router.get("/reports/liability", summary="Outstanding principal and bonus, breakage, per currency",
                responses={200: {"content": {"application/json": {"example": {"currencies": [{
                    "currency": "CNY", "principal": 4200000, "bonus": 610000, "breakage": 12000,
                    "refund_due": 0, "bonus_expense": 700000, "cash_held": 4300000, "sales_revenue": 900000,
                    "bonus_expiring_30d": 8000, "wallets_with_balance": 97}]}}}}})
    async def liability(caller: Caller, as_of: Annotated[Moment | None, Query(
            description="Report the ledger as it stood at this moment.")] = None) -> dict:
        require_scope(caller, "ops:report")
        async with context.engine.connect() as db:
            return {"currencies": await liability_report(db, context.clock.now(), as_of)}

    @router.post("/expire-bonus-lots", summary="Expire every due bonus lot now (breakage entries)")
    async def expire(caller: Caller) -> dict:
        require_scope(caller, "ops:adjust")
        async with context.uow() as uow:
            run = await expire_bonus_lots(uow, context.clock.now())
        return asdict(run)

    return router
