"""The wallet's HTTP request and response bodies (OpenAPI is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

Reference = Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True)]
# Far above any configured limit, so an absurd amount is refused by the schema while a merely
# large one reaches the limit check and gets its own code.
MAX_REPRESENTABLE = 10**15


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

    member_id: Reference
    amount: Annotated[StrictInt, Field(gt=0, le=MAX_REPRESENTABLE,
                                       description="Minor units (fen/cents), an integer.")]
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    payment_method: Literal["cash", "card", "wechat_pay", "alipay", "unionpay", "other"]
    payment_reference: Reference
    store_id: Reference
    terminal_id: Reference
    channel: Literal["pos", "app", "online"] = "pos"
    pos_reference: Reference = Field(
        description="The POS's own transaction reference; unique forever.")


class BonusStatus(BaseModel):
    status: Literal["pending", "credited", "held", "rejected"]


class RechargeReceipt(BaseModel):
    recharge_id: UUID
    member_id: str
    amount: int
    currency: str
    principal_balance: int
    bonus_balance: int
    balance: int = Field(description="principal_balance + bonus_balance")
    bonus: BonusStatus
    created_at: datetime
