"""A wallet with a payment provider configured, and the provider's side of the app flow
for tests: create an intent as the member, sign and send callbacks as the provider."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx

from patronage.fake_provider import signed_callback
from services.wallet.settings import WalletSettings
from tests.support.auth import member_headers

SECRET = "test-fakepay-secret-0123456789abcdef-xyz"
SETTINGS = WalletSettings(payment_providers={"fakepay": {"secret": SECRET}},
                          payment_reference_key="test-reference-key-0123456789abcdef")
CALLBACKS = "/v1/payments/fakepay/callbacks"


async def create_intent(client: httpx.AsyncClient, member: str, amount: int = 50_000,
                        **overrides: object) -> httpx.Response:
    return await client.post(
        "/v1/payment-intents", headers={**member_headers(member),
                                        "Idempotency-Key": uuid.uuid4().hex},
        json={"member_id": member, "amount": amount, "currency": "CNY", "provider": "fakepay",
              **overrides})


def callback(intent: dict, at: datetime, *, payment_id: str = "fp_1", secret: str = SECRET,
             **overrides: object) -> tuple[bytes, dict[str, str]]:
    """A provider's callback for the intent (as the provider would sign it at `at`)."""
    return signed_callback(secret, {
        "payment_id": payment_id, "intent_id": intent["intent_id"], "amount": intent["amount"],
        "currency": intent["currency"], "status": "succeeded", **overrides}, at)


async def send(client: httpx.AsyncClient, signed: tuple[bytes, dict[str, str]]) -> httpx.Response:
    raw, headers = signed
    return await client.post(CALLBACKS, content=raw, headers=headers)  # no credential: signed
