"""Purchases: pay with stored value and/or other tenders; read one; refund (part of) it."""

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
from services.wallet.api.schemas.purchases import (
    PurchaseReceipt,
    PurchaseRefundReceipt,
    PurchaseRefundRequest,
    PurchaseRequest,
)
from services.wallet.rules.currencies import check_currency
from services.wallet.rules.membership_quotes import Line, quoted_lines
from services.wallet.rules.purchases import check_member_tenders
from services.wallet.settings import WalletSettings
from services.wallet.store.purchases import find_purchase, record_purchase
from services.wallet.store.refunds import refund_purchase
from shared.http.auth import Caller, require_member_access, require_role
from shared.http.idempotency import IdempotencyKey, idempotent_post
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.rule_violations import NotFound
from shared.service import ServiceContext


def purchases_router(context: ServiceContext[WalletSettings]) -> APIRouter:
    router = APIRouter(prefix="/v1/purchases", tags=["purchases"], responses=PROBLEM_RESPONSES)
    settings = context.settings

    @router.post("", status_code=201, response_model=PurchaseReceipt,
                 responses=REFUSED_WHEN_FROZEN,
                 summary="Record a purchase; the stored_value tender draws on the member's lots",
                 description=f"Draw policy: `{settings.draw_policy}` (PATRONAGE_WALLET_DRAW_POLICY);"
                 " within principal or bonus, the soonest-expiring lot pays first. Refusals: 422 "
                 "`insufficient_balance` (nothing written), `tenders_do_not_add_up`, "
                 "`invalid_tenders`, `unsupported_currency`, `nothing_to_pay`; a `membership` "
                 "line without its tiering quote or not at the quoted price: `quote_required`, "
                 "`quote_invalid`, "
                 "`quote_expired`, `price_not_quoted`; 423 `wallet_frozen`; 409 "
                 "`order_reference_reused`; 403 `terminal_mismatch`, `store_not_granted` (the "
                 "terminal and store come from the POS key), `external_tender_not_allowed` (a "
                 "member pays with stored_value only). With the tier discount at the till on "
                 "(PATRONAGE_WALLET_TIER_DISCOUNT_AT_TILL), `total` is before the member's tier "
                 "discount, the tenders add up to what is left, and the receipt's `total` is "
                 "what was paid, with `tier`, `tier_discount_bps` and `tier_discount_amount`.")
    async def create_purchase(body: PurchaseRequest, caller: Caller,
                              idempotency_key: IdempotencyKey = None) -> Response:
        require_role(caller, "pos", "member")
        require_member_access(caller, body.member_id)
        terminal, store = bound_terminal(caller, body.terminal_id, body.store_id)
        body = body.model_copy(update={"terminal_id": terminal, "store_id": store})
        if caller.role == "member":  # a member app spends its own balance, never a till's cash
            check_member_tenders(tender.method for tender in body.tenders)
        check_currency(settings.currencies, body.currency)

        async def work(uow):
            # Checked inside the idempotent work: a retry of a purchase already made replays
            # its receipt even after the quote has expired.
            quote_ids = quoted_lines(
                [Line(i.sku, i.category, i.quantity, i.amount, i.quote_token) for i in body.items],
                body.member_id, body.currency, context.platform.jwt_secret, uow.clock.now())
            return await receipt(PurchaseReceipt, record_purchase(
                uow, body, settings.draw_policy, quote_ids=quote_ids,
                tier_discount_at_till=settings.tier_discount_at_till))

        return await idempotent_post(
            context.uow, caller, "POST /v1/purchases", idempotency_key, body, work)

    @router.get("/{purchase_id}", response_model=PurchaseReceipt, summary="A purchase")
    async def get_purchase(purchase_id: UUID, caller: Caller) -> PurchaseReceipt:
        require_record_reader(caller)
        async with context.engine.connect() as connection:
            row = await find_purchase(connection, purchase_id)
        if row is None or hidden_from(caller, row.member_id, row.store_id):
            raise Problem(404, "purchase_not_found", f"No purchase {purchase_id}.")
        return PurchaseReceipt.model_validate(row._mapping, from_attributes=False)

    @router.post("/{purchase_id}/refunds", status_code=201, response_model=PurchaseRefundReceipt,
                 summary="Refund some or all of a purchase; stored value goes back to its lots",
                 description="The stored-value share is pro rata and cumulative (a full refund "
                 "returns every minor unit to the lots it came from). POS of the purchase's "
                 "store, or ops with `ops:refund`. 422 `refund_exceeds_purchase`.")
    async def refund(purchase_id: UUID, body: PurchaseRefundRequest, caller: Caller,
                     idempotency_key: IdempotencyKey = None) -> Response:
        async def work(uow):
            row = await find_purchase(uow.connection, purchase_id)
            if row is None or hidden_from(caller, row.member_id, row.store_id):
                raise NotFound("purchase_not_found", f"No purchase {purchase_id}.")
            authorize_refund(caller, row.store_id)
            return await receipt(PurchaseRefundReceipt, refund_purchase(
                uow, purchase_id, body.amount, body.reason, caller.identity, row.member_id,
                row.currency))

        return await idempotent_post(context.uow, caller,
                                     f"POST /v1/purchases/{purchase_id}/refunds",
                                     idempotency_key, body, work)

    return router
