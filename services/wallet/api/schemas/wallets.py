"""Response bodies of a member's wallet routes: the balance and the paged statement and
histories (`shared.http.paging.Page`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.purchases import PurchaseReceipt
from services.wallet.api.schemas.recharges import RechargeView
from shared.http.paging import Page


class BalanceView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "member_id": "m_1001", "currency": "CNY", "principal": 24138, "bonus": 3862,
        "balance": 28000, "held_principal": 0, "frozen": False, "as_of": None, "bonus_expiring": [
            {"amount": 3862, "expires_at": "2027-11-23T12:00:00Z"}]}]})

    member_id: str
    currency: str
    principal: int
    bonus: int
    balance: int = Field(description="Spendable: principal + bonus.")
    held_principal: int = Field(
        default=0, description="Principal a risk rule held until review (not spendable; "
        "counted in `principal` when `as_of` is set, as the ledger knows no holds).")
    frozen: bool = Field(default=False, description="No recharge or purchase while frozen.")
    frozen_reason: str | None = None
    as_of: datetime | None = Field(default=None, description="Set when asked for a past moment.")
    bonus_expiring: list[dict] = Field(default_factory=list,
                                       description="Open bonus lots with an expiry, soonest first.")


class LimitsView(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"member_id": "m_1001", "currency": "CNY", "card_kind": "registered",
         "max_recharge": 500000, "max_balance": 500000, "balance": 28000, "room_left": 472000},
        {"member_id": "card_8812", "currency": "CNY", "card_kind": "card",
         "max_recharge": 100000, "max_balance": 100000, "balance": 100000, "room_left": 0}]})

    member_id: str
    currency: str
    card_kind: Literal["registered", "card"] = Field(
        description="registered: tiering enrolled the member; card: an unregistered card.")
    max_recharge: int = Field(description="The kind's cap per recharge, minor units.")
    max_balance: int = Field(description="The kind's cap on stored value (principal + bonus).")
    balance: int = Field(description="Stored value now (principal + bonus).")
    room_left: int = Field(description="The largest recharge accepted now (0: none).")


class StatementLine(BaseModel):
    position: int
    occurred_at: datetime
    kind: Literal["recharge", "bonus", "purchase", "purchase_refund", "recharge_refund",
                  "expiry", "adjustment"]
    source_id: str
    reason: str
    principal_change: int
    bonus_change: int
    principal_balance: int = Field(description="Running balance after this entry.")
    bonus_balance: int


class StatementPage(Page[StatementLine]):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [{
        "position": 812, "occurred_at": "2026-11-23T12:05:00Z", "kind": "purchase",
        "source_id": "1f6c8a8e-86a5-4d0e-9d1c-6c1b2a3d4e5f", "reason": "order sh01-ord-88812",
        "principal_change": -25862, "bonus_change": -4138, "principal_balance": 24138,
        "bonus_balance": 3862}], "next_cursor": "WzgxMl0="}]})


RechargePage = Page[RechargeView]
PurchasePage = Page[PurchaseReceipt]
