"""Request and response bodies of the operations routes: audited adjustments, freezes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from services.wallet.api.schemas.fields import CurrencyCode, Reason
from shared.http.ids import Id


class AdjustmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_id": "m_1001", "currency": "CNY", "principal_delta": 0, "bonus_delta": -500,
        "reason": "bonus credited twice by the legacy system (ticket 4411)"}]})

    member_id: Id
    currency: CurrencyCode
    principal_delta: Annotated[int, Field(ge=-10**12, le=10**12, strict=True)] = 0
    bonus_delta: Annotated[int, Field(ge=-10**12, le=10**12, strict=True)] = 0
    reason: Reason


class AdjustmentReceipt(BaseModel):
    adjustment_id: UUID
    member_id: str
    currency: str
    principal_delta: int
    bonus_delta: int
    reason: str
    actor: str
    principal_balance: int
    bonus_balance: int


class FreezeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "card reported stolen (ticket 5120)"}]})

    reason: Reason


class FreezeReceipt(BaseModel):
    freeze_id: UUID = Field(description="The audit row (wallet_freezes).")
    member_id: str
    frozen: bool = Field(description="The state after this call.")
    reason: str
    actor: str
    at: datetime
