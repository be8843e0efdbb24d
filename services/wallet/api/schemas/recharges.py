"""Request and response bodies of the recharge routes (OpenAPI is generated from these,
with examples)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.fields import CurrencyCode, PositiveAmount, Reason
from shared.http.ids import Id, Reference


class RechargeRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{
            "member_id": "m_1001", "amount": 50000, "currency": "CNY",
            "payment_method": "wechat_pay", "payment_reference": "wx-4200001234",
            "store_id": "store_sh_01", "terminal_id": "pos_07", "channel": "pos",
            "pos_reference": "sh01-pos07-000123",
        }]},
    )

    member_id: Id
    amount: PositiveAmount
    currency: CurrencyCode
    payment_method: Literal["cash", "card", "wechat_pay", "alipay", "unionpay", "other"]
    payment_reference: Reference
    store_id: Reference | None = Field(
        default=None, description="Defaults to the POS key's store; another store only if "
        "the key was granted it (403 `store_not_granted`).")
    terminal_id: Reference | None = Field(
        default=None, description="Taken from the POS key; naming another terminal is 403 "
        "`terminal_mismatch`.")
    channel: Literal["pos", "app", "online"] = "pos"
    pos_reference: Reference = Field(
        description="The POS's own transaction reference; unique forever.")


class BonusStatus(BaseModel):
    status: Literal["pending", "credited", "held", "rejected", "voided"] = Field(
        description="pending: rewards has not decided; held: in manual review; credited: the "
                    "bonus is spendable; rejected: no bonus; voided: the recharge was refunded.")
    amount: int | None = Field(default=None, description="The bonus, once credited.")


RechargeStatus = Literal["completed", "held", "refunded"]
STATUS_DESCRIPTION = ("completed: the principal is spendable; held: a risk rule held it (not "
                      "spendable) until approved in rewards' review queue; refunded.")


class RiskReason(BaseModel):
    rule: str
    action: Literal["hold_bonus", "hold_recharge", "freeze"]
    detail: str


class RechargeReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "recharge_id": "7d0c5a52-1b9e-4f3e-9a63-2f0a1b7c9d10", "member_id": "m_1001",
        "amount": 50000, "currency": "CNY", "principal_balance": 50000, "bonus_balance": 0,
        "balance": 50000, "card_kind": "registered", "held_principal": 0, "status": "completed",
        "risk_reasons": [], "bonus": {"status": "pending"}, "created_at": "2026-11-23T12:00:00Z"}]})

    recharge_id: UUID
    member_id: str
    amount: int
    currency: str
    principal_balance: int
    bonus_balance: int
    balance: int = Field(description="principal_balance + bonus_balance (spendable)")
    card_kind: Literal["registered", "card"] | None = Field(
        default=None, description="Whose caps applied: registered or card (unregistered); "
        "absent on receipts stored before cards had kinds.")
    held_principal: int = Field(default=0, description="Principal held by risk rules.")
    status: RechargeStatus = Field(default="completed", description=STATUS_DESCRIPTION)
    risk_reasons: list[RiskReason] = Field(default_factory=list)
    bonus: BonusStatus
    created_at: datetime


class RechargeView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "recharge_id": "7d0c5a52-1b9e-4f3e-9a63-2f0a1b7c9d10", "member_id": "m_1001",
        "amount": 50000, "currency": "CNY", "store_id": "store_sh_01", "channel": "pos",
        "pos_reference": "sh01-pos07-000123", "created_at": "2026-11-23T12:00:00Z",
        "bonus": {"status": "credited", "amount": 8000}, "refunded_at": None}]})

    recharge_id: UUID
    member_id: str
    amount: int
    currency: str
    store_id: str
    channel: str
    pos_reference: str
    created_at: datetime
    bonus: BonusStatus
    refunded_at: datetime | None = None
    status: RechargeStatus = Field(default="completed", description=STATUS_DESCRIPTION)
    risk_reasons: list[RiskReason] = Field(default_factory=list)
    released_by: str | None = Field(default=None,
                                    description="The reviewer who released a held principal.")


class RechargeRefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "member moved away", "store_id": "store_sh_01"}]})

    reason: Reason
    store_id: Reference | None = Field(
        default=None, description="Where the cash is paid back; defaults to the recharge's store.")


class RechargeRefundReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "refund_id": "0b7e0c8e-5c43-4a8c-bf1c-2d7d4d0f2f11",
        "recharge_id": "7d0c5a52-1b9e-4f3e-9a63-2f0a1b7c9d10", "currency": "CNY",
        "principal_paid": 50000, "bonus_granted": 8000, "consumed": 29000,
        "principal_refunded": 25000, "bonus_clawed_back": 4000,
        "principal_balance": 0, "bonus_balance": 0}]})

    refund_id: UUID
    recharge_id: UUID
    currency: str
    principal_paid: int
    bonus_granted: int
    consumed: int = Field(description="Spent from this recharge's principal and bonus.")
    principal_refunded: int = Field(
        description="Cash back: principal - consumed * principal / (principal + bonus).")
    bonus_clawed_back: int = Field(description="Taken off the wallet beyond the cash refund.")
    principal_balance: int
    bonus_balance: int
