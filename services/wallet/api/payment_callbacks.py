"""The payment providers' callbacks: the only way a member app's payment becomes value.

No JWT: a callback is authenticated by its signature over the raw body (rules/
payment_signatures.py). It is settled once per (provider, payment id): the first outcome is
stored (store/payment_callbacks.py) and answers every replay. A successful payment is
recorded through the same one-round-trip function as a POS recharge (`wallet_recharge`),
with the provider's payment id as the idempotency key and payment reference and
`app:<intent id>` as its unique reference, so a crash between the recharge and the intent's
update is repaired by the provider's retry, and a second payment for one intent can never
record a second recharge.
"""

from __future__ import annotations

from uuid import UUID

import orjson
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from services.wallet.api.schemas.payments import CallbackOutcome, ProviderCallback
from services.wallet.api.schemas.recharges import RechargeRequest
from services.wallet.rules.payment_intents import RECHARGE, ProviderReport, Settlement, settle
from services.wallet.rules.payment_signatures import HEADER, verify_signature
from services.wallet.rules.recharges import PosReferenceReused
from services.wallet.settings import PaymentProvider, WalletSettings
from services.wallet.store.payment_callbacks import find_callback, record_callback
from services.wallet.store.payment_intents import as_intent, find_intent, mark_intent
from services.wallet.store.recharge_groups import RechargeGroups
from services.wallet.store.recharges import record_recharge
from shared.db.messaging_tables import notify_channel
from shared.db.relay_wakeup import RelayWakeup
from shared.http import idempotency
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.rule_violations import RuleViolation
from shared.service import ServiceContext
from shared.structured_logging import get_logger

log = get_logger(__name__)
ALREADY_PAID = Settlement("already_paid", 409, "payment_intent_already_paid",
                          "This intent was paid by another payment; refund this one.")


def answer(outcome: str, status: int, code: str | None, detail: str, report: ProviderReport,
           recharge_id: UUID | None = None) -> Response:
    if status != 200:
        raise Problem(status, code or "payment_refused", detail)
    body = CallbackOutcome(outcome=outcome, intent_id=report.intent_id,
                           payment_id=report.payment_id, recharge_id=recharge_id, detail=detail)
    return Response(body.model_dump_json(), 200, media_type="application/json")


def payment_callbacks_router(context: ServiceContext[WalletSettings],
                             providers: dict[str, PaymentProvider],
                             groups: RechargeGroups | None = None) -> APIRouter:
    router = APIRouter(prefix="/v1/payments", tags=["payments"], responses=PROBLEM_RESPONSES)
    settings = context.settings
    statements = context.statements
    assert statements is not None, "the wallet's spec asks for a statement pool"
    wake_relay = RelayWakeup(statements, notify_channel(context.name))
    reference_key = settings.payment_reference_key.get_secret_value()

    async def recharge(report: ProviderReport, provider: PaymentProvider, intent,
                       fingerprint: bytes) -> tuple[Settlement, UUID | None]:
        request = RechargeRequest(
            member_id=intent.member_id, amount=report.amount, currency=report.currency,
            payment_method=provider.payment_method, payment_reference=report.payment_id,
            store_id=settings.app_store_id, terminal_id=report.provider, channel="app",
            pos_reference=f"app:{intent.intent_id}")
        try:
            outcome = await record_recharge(
                statements, scope=f"payments:{report.provider}", key=report.payment_id,
                fingerprint=fingerprint, request=request, limits=settings.limits(),
                clock=context.clock, topics=context.topics, reference_key=reference_key,
                risk=settings.risk, writer=groups)
        except PosReferenceReused:
            return ALREADY_PAID, None
        except RuleViolation as refused:  # e.g. the balance grew since the intent: refund
            return Settlement("recharge_refused", 422, refused.code, refused.detail), None
        if outcome.outcome == "in_progress":
            raise Problem(409, "request_in_progress", "This payment is being recorded.",
                          headers={"Retry-After": "1"})
        if outcome.outcome == "created":
            wake_relay.poke()
        assert outcome.body is not None and outcome.outcome in ("created", "replayed")
        return RECHARGE, UUID(orjson.loads(outcome.body)["recharge_id"])

    @router.post("/{provider_name}/callbacks", response_model=CallbackOutcome,
                 summary="A payment provider confirms (or fails) a payment intent",
                 description=f"Signed: `{HEADER}: t=<unix>,v1=<hex HMAC-SHA256 of "
                 "\"<t>.<raw body>\">`. Once per payment_id: a replay answers what the first "
                 "call did. 401 `invalid_signature`, `signature_timestamp_out_of_tolerance`; "
                 "404 `unknown_payment_provider`, `payment_intent_not_found`; 409 "
                 "`payment_intent_already_paid`, `payment_id_reused`; 422 "
                 "`payment_amount_mismatch`, `payment_intent_expired`, `payment_intent_closed`.",
                 # the body is read raw (the signature covers its bytes); its shape, for the docs
                 openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                     "schema": ProviderCallback.model_json_schema()}}}})
    async def callback(provider_name: str, request: Request) -> Response:
        provider = providers.get(provider_name)
        if provider is None:
            raise Problem(404, "unknown_payment_provider", f"No provider {provider_name}.")
        raw = await request.body()
        try:
            verify_signature(provider.secret.get_secret_value(), request.headers.get(HEADER),
                             raw, context.clock.now().timestamp(),
                             settings.payment_signature_tolerance_seconds)
        except RuleViolation as refused:
            log.warning("payment_callback_refused", provider=provider_name, code=refused.code,
                        body_bytes=len(raw))
            raise
        try:
            body = ProviderCallback.model_validate_json(raw)
        except ValidationError as invalid:
            raise Problem(422, "invalid_request", f"Not a callback body: {invalid.errors()[:3]}"
                          ) from invalid
        report = ProviderReport(provider_name, body.payment_id, body.intent_id, body.amount,
                                body.currency, body.status)
        fingerprint = idempotency.request_fingerprint(body.model_dump(mode="json"))
        async with context.engine.connect() as connection:
            stored = await find_callback(connection, provider_name, body.payment_id)
        if stored is not None:
            if stored.request_hash != fingerprint:
                raise Problem(409, "payment_id_reused",
                              "This payment id was reported before with other details.")
            return answer(stored.outcome, stored.status_code, stored.code, stored.detail,
                          report, stored.recharge_id)

        async with context.uow() as uow:
            row = await find_intent(uow.connection, body.intent_id, lock=True)
            if row is not None and row.payment_id == body.payment_id:  # raced the first call
                return answer("recharged", 200, None, RECHARGE.detail, report, row.recharge_id)
            now = uow.clock.now()
            settlement = settle(as_intent(row), report, now)
            if settlement is not RECHARGE:
                if settlement.intent_status is not None:
                    await mark_intent(uow.connection, body.intent_id, settlement.intent_status, now)
                await record_callback(uow.connection, report, settlement, fingerprint, now)
        if settlement is not RECHARGE:
            return answer(settlement.outcome, settlement.status_code, settlement.code,
                          settlement.detail, report)

        settlement, recharge_id = await recharge(report, provider, row, fingerprint)
        async with context.uow() as uow:
            now = uow.clock.now()
            if recharge_id is not None:
                await mark_intent(uow.connection, body.intent_id, "succeeded", now,
                                  recharge_id=recharge_id, payment_id=body.payment_id)
            await record_callback(uow.connection, report,
                                  Settlement("recharged", 200, None, settlement.detail)
                                  if recharge_id else settlement, fingerprint, now, recharge_id)
        outcome = "recharged" if recharge_id else settlement.outcome
        return answer(outcome, settlement.status_code, settlement.code, settlement.detail,
                      report, recharge_id)

    return router
