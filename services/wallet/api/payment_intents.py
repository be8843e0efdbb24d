"""Payment intents: a member app's way to recharge (it never records value itself)."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from fastapi import APIRouter, Response

from services.wallet.api.freezes import REFUSED_WHEN_FROZEN
from services.wallet.api.schemas import receipt
from services.wallet.api.schemas.payments import PaymentIntent, PaymentIntentRequest
from services.wallet.settings import PaymentProvider, WalletSettings
from services.wallet.store.payment_intents import create_intent, find_intent, intent_view
from shared.http.auth import Caller, require_member_access, require_role, require_scope
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext


def payment_intents_router(context: ServiceContext[WalletSettings],
                           providers: dict[str, PaymentProvider]) -> APIRouter:
    router = APIRouter(prefix="/v1/payment-intents", tags=["payments"],
                       responses=PROBLEM_RESPONSES)
    settings = context.settings
    ttl = timedelta(minutes=settings.payment_intent_ttl_minutes)

    @router.post("", status_code=201, response_model=PaymentIntent,
                 responses=REFUSED_WHEN_FROZEN,
                 summary="Start a recharge from the member app: a pending payment intent",
                 description="The member's own wallet; the recharge limits are checked now, so "
                 "the member is not charged for a recharge that would be refused. The recharge "
                 "is recorded when the provider's signed callback confirms the payment. 422 "
                 "`unknown_payment_provider`, `recharge_above_limit`, `balance_limit_exceeded`, "
                 "`unsupported_currency`.")
    async def create(body: PaymentIntentRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        require_role(caller, "member")
        require_member_access(caller, body.member_id)
        if body.provider not in providers:
            raise RuleViolation("unknown_payment_provider",
                                f"No payment provider {body.provider}; have {sorted(providers)}.")
        return await idempotent_post(
            context.uow, caller, "POST /v1/payment-intents", idempotency_key, body,
            lambda uow: receipt(PaymentIntent, create_intent(
                uow, member_id=body.member_id, amount=body.amount, currency=body.currency,
                provider=body.provider, ttl=ttl, limits=settings.limits())))

    @router.get("/{intent_id}", response_model=PaymentIntent,
                summary="A payment intent and its status (pending/succeeded/expired/...)")
    async def get(intent_id: UUID, caller: Caller) -> PaymentIntent:
        require_role(caller, "member", "ops")
        if caller.role == "ops":
            require_scope(caller, "ops:report")
        async with context.engine.connect() as connection:
            row = await find_intent(connection, str(intent_id))
        if row is None or (caller.role == "member" and caller.subject != row.member_id):
            raise Problem(404, "payment_intent_not_found", f"No payment intent {intent_id}.")
        return PaymentIntent.model_validate(intent_view(row, context.clock.now()))

    return router
