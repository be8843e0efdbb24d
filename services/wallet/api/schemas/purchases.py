"""Request and response bodies of the purchase routes: purchases and their refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.fields import (
    Amount,
    CurrencyCode,
    PositiveAmount,
    Reason,
)
from shared.http.ids import Id, Reference

TenderMethod = Literal["stored_value", "cash", "card", "wechat_pay", "alipay", "unionpay",
                       "voucher", "other"]


class PurchaseItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sku: Reference
    category: Reference | None = None
    quantity: Annotated[int, Field(ge=1, le=1_000_000)]
    amount: Amount = Field(description="Line total after line discounts.")
    quote_token: Annotated[str, Field(min_length=1, max_length=2048)] | None = Field(
        default=None, description="Required on a `membership` line: the `quote_token` of "
        "tiering's renewal quote; the line must be 1 x the quoted sku at the quoted price.")


class Tender(BaseModel):
    model_config = ConfigDict(extra="forbid")

    method: TenderMethod = Field(description="stored_value draws on the member's lots.")
    amount: PositiveAmount
    reference: Reference | None = Field(default=None, description="The provider's transaction id.")


class PurchaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_id": "m_1001", "order_reference": "sh01-ord-88812", "currency": "CNY",
        "total": 35000, "store_id": "store_sh_01", "terminal_id": "pos_07", "channel": "pos",
        "items": [{"sku": "latte-l", "category": "drinks", "quantity": 2, "amount": 7000},
                  {"sku": "membership-1y", "category": "membership", "quantity": 1, "amount": 28000,
                   "quote_token": "<quote_token of tiering's renewal quote>"}],
        "tenders": [{"method": "stored_value", "amount": 30000},
                    {"method": "wechat_pay", "amount": 5000, "reference": "wx-42000077"}],
        "coupon_codes": []}]})

    member_id: Id
    order_reference: Reference = Field(description="The POS's own order number; once per store.")
    currency: CurrencyCode
    total: PositiveAmount
    items: list[PurchaseItemIn] = Field(default_factory=list, max_length=500)
    tenders: list[Tender] = Field(min_length=1, max_length=20, description="Must add up to "
                                  "total (less the tier discount when the merchant applies it "
                                  "at the till); at most one stored_value.")
    store_id: Reference | None = Field(
        default=None, description="Defaults to the POS key's store; another store only if "
        "the key was granted it (403 `store_not_granted`).")
    terminal_id: Reference | None = Field(
        default=None, description="Taken from the POS key; naming another terminal is 403 "
        "`terminal_mismatch`.")
    channel: Literal["pos", "app", "online"] = "pos"
    coupon_codes: list[Reference] = Field(default_factory=list, max_length=20)


class PurchaseReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "purchase_id": "1f6c8a8e-86a5-4d0e-9d1c-6c1b2a3d4e5f", "member_id": "m_1001",
        "order_reference": "sh01-ord-88812", "currency": "CNY", "total": 35000,
        "paid_principal": 25862, "paid_bonus": 4138, "paid_other": 5000,
        "principal_balance": 24138, "bonus_balance": 3862, "balance": 28000,
        "store_id": "store_sh_01", "created_at": "2026-11-23T12:05:00Z", "refunded_amount": 0}]})

    purchase_id: UUID
    member_id: str
    order_reference: str
    currency: str
    total: int
    paid_principal: int
    paid_bonus: int
    paid_other: int
    principal_balance: int | None = Field(default=None, description="After the purchase.")
    bonus_balance: int | None = None
    balance: int | None = None
    store_id: str
    created_at: datetime
    refunded_amount: int = 0
    tier: str | None = Field(default=None, description="The member's tier whose discount "
                             "was applied (tier discount at the till on).")
    tier_discount_bps: int | None = None
    tier_discount_amount: int | None = Field(
        default=None, description="Taken off by the tier discount; total is after it.")


class PurchaseRefundRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"amount": 7000, "reason": "returned two lattes"}]})

    amount: PositiveAmount = Field(description="Total to refund, all tenders together.")
    reason: Reason | None = None


class PurchaseRefundReceipt(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "refund_id": "5a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        "purchase_id": "1f6c8a8e-86a5-4d0e-9d1c-6c1b2a3d4e5f", "amount": 7000, "currency": "CNY",
        "returned_principal": 5172, "returned_bonus": 828, "forfeited_bonus": 0,
        "returned_other": 1000, "principal_balance": 29310, "bonus_balance": 4690}]})

    refund_id: UUID
    purchase_id: UUID
    amount: int
    currency: str
    returned_principal: int
    returned_bonus: int
    forfeited_bonus: int = Field(description="Bonus whose lot was voided by a recharge refund.")
    returned_other: int = Field(description="To be paid back through the other tenders.")
    cashback_clawed_back: int = Field(
        default=0, description="The purchase's cash-back taken back from the bonus balance.")
    principal_balance: int
    bonus_balance: int
