"""Recharges: create (the one-round-trip hot path), read with the bonus status, refund."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from services.wallet.api.access import (
    authorize_refund,
    bound_terminal,
    hidden_from,
    require_record_reader,
)
from services.wallet.api.freezes import REFUSED_WHEN_FROZEN
from services.wallet.api.schemas import receipt
from services.wallet.api.schemas.recharges import (
    RechargeReceipt,
    RechargeRefundReceipt,
    RechargeRefundRequest,
    RechargeRequest,
    RechargeView,
)
from services.wallet.settings import WalletSettings
from services.wallet.store.recharge_groups import RechargeGroups
from services.wallet.store.recharges import find_recharge, recharge_view, record_recharge
from services.wallet.store.refunds import refund_recharge
from shared.db.messaging_tables import notify_channel
from shared.db.relay_wakeup import RelayWakeup
from shared.http import idempotency
from shared.http.auth import Caller, require_role
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.rule_violations import NotFound
from shared.service import ServiceContext

RECHARGE_SCOPE = "POST /v1/recharges"


def recharges_router(context: ServiceContext[WalletSettings],
                     groups: RechargeGroups | None = None) -> APIRouter:
    router = APIRouter(prefix="/v1/recharges", tags=["recharges"], responses=PROBLEM_RESPONSES)
    limits = context.settings.limits()
    statements = context.statements
    assert statements is not None, "the wallet's spec asks for a statement pool"
    wake_relay = RelayWakeup(statements, notify_channel(context.name))
    reference_key = context.settings.payment_reference_key.get_secret_value()

    @router.post("", status_code=201, response_model=RechargeReceipt,
                 responses=REFUSED_WHEN_FROZEN,
                 summary="Recharge a member's stored value at a POS (principal; bonus follows)",
                 description="A POS terminal that took the money; a member app creates a "
                 "payment intent instead (403 `payment_required`). "
                 "One database round trip. The terminal and store come from the "
                 "POS key (403 `terminal_mismatch`, `store_not_granted`). The caps are the card "
                 "kind's: a registered member's, or an unregistered card's (lower; see "
                 "`GET /v1/wallets/{member_id}/limits`). Risk rules may hold the principal "
                 "(`status: held`) or freeze the wallet. Refusals: 422 `recharge_above_limit`, "
                 "`balance_limit_exceeded` (the detail names the kind whose cap applied), "
                 "`unsupported_currency`, `idempotency_key_reused`; 423 `wallet_frozen`; "
                 "409 `pos_reference_reused`, `request_in_progress`; 400 `idempotency_key_missing`.")
    async def create_recharge(
        body: RechargeRequest, caller: Caller, idempotency_key: IdempotencyKey = None
    ) -> Response:
        if caller.role == "member":  # nothing confirms that a member's money was taken
            raise Problem(403, "payment_required", "A member app recharges through a payment "
                          "intent: POST /v1/payment-intents, then pay it with the provider.")
        require_role(caller, "pos")
        terminal, store = bound_terminal(caller, body.terminal_id, body.store_id)
        body = body.model_copy(update={"terminal_id": terminal, "store_id": store})
        key = idempotency.require_key(idempotency_key)
        # The same Idempotency-Key steps as `idempotent_post`, inside the stored function
        # (one round trip); its refusals (RuleViolations) are answered by service_app.
        outcome = await record_recharge(
            statements, scope=f"{caller.identity} {RECHARGE_SCOPE}", key=key,
            fingerprint=idempotency.request_fingerprint(body.model_dump(mode="json")),
            request=body, limits=limits, clock=context.clock, topics=context.topics,
            risk=context.settings.risk, reference_key=reference_key,
            writer=groups)
        if outcome.outcome == "in_progress":
            raise Problem(409, "request_in_progress",
                          "A request with this Idempotency-Key is still being processed.",
                          headers={"Retry-After": "1"})
        if outcome.outcome == "key_reused":
            raise Problem(422, "idempotency_key_reused",
                          "This Idempotency-Key was used with a different request body.")
        if outcome.outcome == "created":
            wake_relay.poke()  # its RechargeCompleted is in the outbox, committed
        headers = {"Idempotent-Replayed": "true"} if outcome.outcome == "replayed" else None
        return Response(outcome.body, outcome.status_code, media_type="application/json",
                        headers=headers)

    @router.get("/{recharge_id}", response_model=RechargeView,
                summary="A recharge (completed / held / refunded) and its bonus's status")
    async def get_recharge(recharge_id: UUID, caller: Caller) -> RechargeView:
        require_record_reader(caller)
        async with context.engine.connect() as connection:
            row = await find_recharge(connection, recharge_id)
        if row is None or hidden_from(caller, row.member_id, row.store_id):
            raise Problem(404, "recharge_not_found", f"No recharge {recharge_id}.")
        return RechargeView.model_validate(recharge_view(dict(row._mapping)))

    @router.post("/{recharge_id}/refund", status_code=201, response_model=RechargeRefundReceipt,
                 summary="Refund a recharge's unused value (pro-rata rule); voids its bonus",
                 description="refund = principal - consumed * principal / (principal + bonus), "
                 "rounded down, never above what is left of the recharge. POS of the recharge's "
                 "store, or ops with `ops:refund`. 409 `recharge_already_refunded`.")
    async def refund(recharge_id: UUID, body: RechargeRefundRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        async def work(uow):
            row = await find_recharge(uow.connection, recharge_id)
            if row is None or hidden_from(caller, row.member_id, row.store_id):
                raise NotFound("recharge_not_found", f"No recharge {recharge_id}.")
            authorize_refund(caller, body.store_id or row.store_id)
            return await receipt(RechargeRefundReceipt, refund_recharge(
                uow, recharge_id, body.reason, caller.identity, row.member_id, row.currency))

        return await idempotent_post(context.uow, caller,
                                     f"POST /v1/recharges/{recharge_id}/refund",
                                     idempotency_key, body, work)

    return router

