"""Wallet HTTP API: recharges (POS and app)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import orjson
from fastapi import APIRouter, FastAPI, Header, Response

from services.wallet.domain import WalletRuleViolation
from services.wallet.recharges import PosReferenceReused, find_recharge, record_recharge
from services.wallet.schemas import BonusStatus, RechargeReceipt, RechargeRequest
from services.wallet.settings import WalletSettings
from shared.http import idempotency
from shared.http.app import service_app
from shared.http.auth import (
    Caller,
    can_see_store,
    require_member_access,
    require_role,
    require_store,
)
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

RECHARGE_SCOPE = "POST /v1/recharges"
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", description="Required. Same key + same body replays "
           "the first response; a different body is refused with 422."),
]


def recharges_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/recharges", tags=["recharges"], responses=PROBLEM_RESPONSES)
    settings: WalletSettings = context.settings
    limits = settings.limits()

    @router.post("", status_code=201, response_model=RechargeReceipt,
                 summary="Recharge a member's stored value (principal; bonus follows)")
    async def create_recharge(
        body: RechargeRequest, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Response:
        require_role(caller, "pos", "member")
        require_member_access(caller, body.member_id)
        require_store(caller, body.store_id)
        key = idempotency.require_key(idempotency_key)
        scope = f"{caller.identity} {RECHARGE_SCOPE}"
        fingerprint = idempotency.request_fingerprint(body.model_dump(mode="json"))
        async with context.uow() as uow:
            stored = await idempotency.replay_or_claim(uow.connection, scope, key, fingerprint)
            if stored is not None:
                return Response(stored.body, stored.status_code, media_type="application/json",
                                headers={"Idempotent-Replayed": "true"})
            try:
                receipt = await record_recharge(uow, body, limits)
            except WalletRuleViolation as refused:
                raise Problem(422, refused.code, refused.detail) from refused
            except PosReferenceReused as reused:
                raise Problem(409, "pos_reference_reused",
                              f"pos_reference {reused} was already used by another recharge.") from reused
            payload = orjson.dumps(receipt.model_dump(mode="json"))
            await idempotency.remember(uow.connection, scope, key, fingerprint, 201, payload)
        return Response(payload, 201, media_type="application/json")

    @router.get("/{recharge_id}", summary="A recharge and the status of its bonus")
    async def get_recharge(recharge_id: UUID, caller: Caller) -> dict:
        async with context.uow() as uow:
            row = await find_recharge(uow, recharge_id)
        hidden = row is not None and (
            (caller.role == "member" and caller.subject != row.member_id)
            or not can_see_store(caller, row.store_id))
        if row is None or hidden:
            raise Problem(404, "recharge_not_found", f"No recharge {recharge_id}.")
        return {
            "recharge_id": row.recharge_id, "member_id": row.member_id, "amount": row.amount,
            "currency": row.currency, "store_id": row.store_id, "channel": row.channel,
            "pos_reference": row.pos_reference, "created_at": row.created_at,
            "bonus": BonusStatus(status=row.bonus_status),
        }

    return router


def create_app(context: ServiceContext) -> FastAPI:
    return service_app(
        context, title="Patronage wallet",
        description="Stored-value accounts: recharges, purchases, refunds and the ledger.",
        routers=[recharges_router(context)],
    )
