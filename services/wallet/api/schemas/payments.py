"""Bodies of the payment routes: the member app's payment intents and the providers'
signed callbacks."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.fields import CurrencyCode, PositiveAmount
from shared.http.ids import Id, Reference

IntentStatus = Literal["pending", "succeeded", "failed", "mismatched", "expired"]


class PaymentIntentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_id": "m_1001", "amount": 50000, "currency": "CNY", "provider": "fakepay"}]})

    member_id: Id
    amount: PositiveAmount
    currency: CurrencyCode
    provider: Reference = Field(description="One of PATRONAGE_WALLET_PAYMENT_PROVIDERS.")


class PaymentIntent(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "intent_id": "5b1f3c9e-2a7d-4c1e-8f0a-6d2e9b7c4a11", "member_id": "m_1001",
        "amount": 50000, "currency": "CNY", "provider": "fakepay", "status": "pending",
        "created_at": "2026-11-29T12:00:00Z", "expires_at": "2026-11-29T12:15:00Z",
        "recharge_id": None, "settled_at": None}]})

    intent_id: UUID
    member_id: str
    amount: int
    currency: str
    provider: str
    status: IntentStatus = Field(
        description="pending: waiting for the provider; succeeded: recharged (recharge_id); "
        "failed: the provider said so; mismatched: paid another amount or currency (refunded "
        "by ops); expired: no payment before expires_at.")
    created_at: datetime
    expires_at: datetime
    recharge_id: UUID | None = None
    settled_at: datetime | None = None


class ProviderCallback(BaseModel):
    """What a provider posts, signed (see rules/payment_signatures.py)."""

    model_config = ConfigDict(extra="ignore", json_schema_extra={"examples": [{
        "payment_id": "fp_9f2c1e", "intent_id": "5b1f3c9e-2a7d-4c1e-8f0a-6d2e9b7c4a11",
        "amount": 50000, "currency": "CNY", "status": "succeeded"}]})

    payment_id: Reference = Field(description="The provider's id of the payment; once each.")
    intent_id: Reference
    amount: PositiveAmount
    currency: CurrencyCode
    status: Literal["succeeded", "failed"]


class CallbackOutcome(BaseModel):
    outcome: str = Field(description="recharged, failed or ignored (refusals are problem+json).")
    intent_id: str
    payment_id: str
    recharge_id: UUID | None = None
    detail: str
