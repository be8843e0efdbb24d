"""A local payment provider for `patronage dev` and the tests: it "takes" the member's
money for a payment intent and tells the wallet so with exactly the signed callback a real
provider sends (services/wallet/rules/payment_signatures.py), over HTTP. `patronage pay`
runs it, in the dev environment only; nothing of it is mounted in any service."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import orjson

from services.wallet.rules.payment_signatures import HEADER, signature_header
from services.wallet.settings import FAKE_PROVIDER
from shared.http.auth import Principal, issue_token


def signed_callback(secret: str, body: dict, at: datetime) -> tuple[bytes, dict[str, str]]:
    """The raw body and the headers of a callback signed at `at`."""
    raw = orjson.dumps(body)
    return raw, {HEADER: signature_header(secret, int(at.timestamp()), raw),
                 "Content-Type": "application/json"}


async def pay(http: httpx.AsyncClient, intent_id: str, *, secret: str, jwt_secret: str,
              now: datetime, status: str = "succeeded", amount: int | None = None,
              payment_id: str | None = None) -> httpx.Response:
    """Read the intent (as ops, to learn its amount), then deliver the provider's callback
    for it; `amount` overrides what was paid (to try a mismatch)."""
    reader = issue_token(jwt_secret, Principal("ops", "fakepay", scopes=frozenset({"ops:report"})),
                         now, timedelta(minutes=5))
    found = await http.get(f"/v1/payment-intents/{intent_id}",
                           headers={"Authorization": f"Bearer {reader}"})
    found.raise_for_status()
    intent = found.json()
    raw, headers = signed_callback(secret, {
        "payment_id": payment_id or f"fp_{uuid.uuid4().hex}", "intent_id": intent_id,
        "amount": intent["amount"] if amount is None else amount,
        "currency": intent["currency"], "status": status}, now)
    return await http.post(f"/v1/payments/{FAKE_PROVIDER}/callbacks", content=raw,
                           headers=headers)
