"""Delivery receipts from the providers: a webhook per channel, signed like our requests
to them (HMAC-SHA256 of `<X-Patronage-Timestamp>.<body>` with the provider secret). The
signature is checked on the raw body before anything is parsed, and a timestamp more than
`RECEIPT_MAX_SKEW` away from now is refused, so a captured receipt cannot be replayed
later."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Header, Request
from pydantic import ValidationError

from services.notifier.api.schemas import DeliveryReceipt, ProviderChannel
from services.notifier.rules.signatures import signed_by
from services.notifier.store import notifications
from shared.http.problems import PROBLEM_RESPONSES, Problem
from shared.service import ServiceContext

RECEIPT_MAX_SKEW = timedelta(minutes=5)


def unsigned() -> Problem:
    return Problem(401, "invalid_signature", "The receipt is not signed with our provider secret.")


def receipts_router(context: ServiceContext) -> APIRouter:
    router = APIRouter(prefix="/v1/delivery-receipts", tags=["delivery receipts"],
                       responses=PROBLEM_RESPONSES)
    secret = context.settings.provider_secret.get_secret_value()

    @router.post("/{channel}", status_code=204, summary="A provider reports a delivery",
                 openapi_extra={"requestBody": {"content": {"application/json": {
                     "schema": DeliveryReceipt.model_json_schema()}}, "required": True}})
    async def receive(channel: ProviderChannel, request: Request,
                      timestamp: Annotated[str, Header(alias="X-Patronage-Timestamp")],
                      signature: Annotated[str, Header(alias="X-Patronage-Signature")]) -> None:
        body = await request.body()
        if not signed_by(secret, timestamp, body, signature):
            raise unsigned()
        try:
            sent_at = datetime.fromtimestamp(int(timestamp), UTC)
        except (ValueError, OverflowError, OSError) as error:
            raise unsigned() from error
        if abs(context.clock.now() - sent_at) > RECEIPT_MAX_SKEW:
            raise Problem(401, "stale_receipt", "The receipt's timestamp is too far from now.")
        try:
            receipt = DeliveryReceipt.model_validate_json(body)
        except ValidationError as error:
            raise Problem(422, "invalid_receipt", str(error.errors(include_url=False))) from error
        async with context.uow() as uow:
            if not await notifications.record_receipt(
                    uow.connection, channel, receipt.message_id, receipt.status, receipt.error,
                    receipt.at or uow.clock.now()):
                raise Problem(404, "message_not_found",
                              f"No {channel} message went out as {receipt.message_id}.")

    return router
