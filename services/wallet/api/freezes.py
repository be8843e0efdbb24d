"""Freezing and unfreezing a member's wallets (ops scope `ops:risk`): audited with the
reason and the actor, announced as WalletFrozen / WalletUnfrozen. A frozen member can
neither recharge nor buy (423 `wallet_frozen`); refunds and adjustments still work."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.wallet.api.schemas import receipt
from services.wallet.api.schemas.ops import FreezeReceipt, FreezeRequest
from services.wallet.settings import WalletSettings
from services.wallet.store import freezes
from shared.http.auth import Caller, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.ids import PathId as MemberId  # the one id grammar
from shared.http.problems import PROBLEM_RESPONSES, problem_doc
from shared.service import ServiceContext

RISK_SCOPE = "ops:risk"
# For the routes that put value in or spend it; documented so a client knows to expect it
# (the state machine over the wallet got an undocumented 423 before).
REFUSED_WHEN_FROZEN = {423: problem_doc("The member's wallet is frozen (`wallet_frozen`)")}


def freezes_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/ops/wallets/{member_id}", tags=["ops"],
                       responses=PROBLEM_RESPONSES)

    @router.post("/freeze", status_code=201, response_model=FreezeReceipt,
                 summary="Freeze a member's wallets (ops:risk); emits WalletFrozen",
                 description="No recharge or purchase until unfrozen (423 `wallet_frozen`). "
                 "409 `already_frozen`.")
    async def freeze(member_id: MemberId, body: FreezeRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, RISK_SCOPE)
        return await idempotent_post(
            context.uow, caller, f"POST /v1/ops/wallets/{member_id}/freeze", idempotency_key,
            body, lambda uow: receipt(FreezeReceipt, freezes.freeze(
                uow, member_id, body.reason, caller.identity)))

    @router.post("/unfreeze", status_code=201, response_model=FreezeReceipt,
                 summary="Unfreeze a member's wallets (ops:risk); emits WalletUnfrozen",
                 description="409 `not_frozen`.")
    async def unfreeze(member_id: MemberId, body: FreezeRequest, caller: Caller,
                       idempotency_key: IdempotencyKey = None) -> Response:
        require_scope(caller, RISK_SCOPE)
        return await idempotent_post(
            context.uow, caller, f"POST /v1/ops/wallets/{member_id}/unfreeze", idempotency_key,
            body, lambda uow: receipt(FreezeReceipt, freezes.unfreeze(
                uow, member_id, body.reason, caller.identity)))

    return router
