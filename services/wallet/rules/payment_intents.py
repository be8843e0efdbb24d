"""Payment intents: how a member app recharges without ever creating value itself.

The app asks for an intent (`pending`, for an amount, with a provider, until `expires_at`);
the member pays the provider; the provider's signed callback settles the intent. Only a
callback that matches the intent (same amount and currency, before it expired, not paid
already) records the recharge. Every other callback is refused AND kept (the payer may
have been charged: ops refunds them from the `payment_callbacks` row).

Stored statuses: pending, succeeded, failed, mismatched, expired. A pending intent past
its `expires_at` reads as `expired` at once (`status_at`); the row is marked when a callback
for it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

PENDING, SUCCEEDED, FAILED, MISMATCHED, EXPIRED = (
    "pending", "succeeded", "failed", "mismatched", "expired")
ReportedStatus = Literal["succeeded", "failed"]


@dataclass(frozen=True)
class Intent:
    intent_id: str
    member_id: str
    amount: int
    currency: str
    provider: str
    status: str
    expires_at: datetime


@dataclass(frozen=True)
class ProviderReport:
    """What a (verified) callback says happened."""

    provider: str
    payment_id: str
    intent_id: str
    amount: int
    currency: str
    status: ReportedStatus


@dataclass(frozen=True)
class Settlement:
    """What a callback does: `recharge` (the only outcome that moves money), or a stored
    outcome with its answer. `intent_status` is the intent's new status, None to leave it."""

    outcome: str
    status_code: int
    code: str | None
    detail: str
    intent_status: str | None = None


RECHARGE = Settlement("recharge", 200, None, "The payment is recorded as a recharge.", SUCCEEDED)


def status_at(stored: str, expires_at: datetime, now: datetime) -> str:
    return EXPIRED if stored == PENDING and now >= expires_at else stored


def settle(intent: Intent | None, report: ProviderReport, now: datetime) -> Settlement:
    if intent is None or intent.provider != report.provider:
        return Settlement("intent_not_found", 404, "payment_intent_not_found",
                          f"No {report.provider} payment intent {report.intent_id}.")
    status = status_at(intent.status, intent.expires_at, now)
    if report.status == "failed":
        if status == PENDING:
            return Settlement("failed", 200, None, "The payment failed; the intent is closed.",
                              FAILED)
        return Settlement("ignored", 200, None, f"The intent is already {status}.")
    if status == SUCCEEDED:
        return Settlement("already_paid", 409, "payment_intent_already_paid",
                          "This intent was paid by another payment; refund this one.")
    if status == EXPIRED:
        return Settlement("intent_expired", 422, "payment_intent_expired",
                          f"The intent expired at {intent.expires_at.isoformat()}; refund the "
                          "payer.", EXPIRED if intent.status == PENDING else None)
    if status != PENDING:
        return Settlement("intent_closed", 422, "payment_intent_closed",
                          f"The intent is {status}; refund the payer.")
    if (report.amount, report.currency) != (intent.amount, intent.currency):
        return Settlement("amount_mismatch", 422, "payment_amount_mismatch",
                          f"Paid {report.amount} {report.currency}, the intent is for "
                          f"{intent.amount} {intent.currency}; refund the payer.", MISMATCHED)
    return RECHARGE
