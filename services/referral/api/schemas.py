"""Referral's HTTP request and response bodies (OpenAPI is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from shared.http.ids import Id, Reference

# PostgreSQL text cannot hold NUL: refuse it at the edge (422) instead of failing in the driver.
NO_NUL = r"^[^\x00]+$"
Note = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]
Amount = Annotated[StrictInt, Field(ge=1, le=10**15, description="Minor units, an integer.")]
Count = Annotated[StrictInt, Field(ge=0, le=1_000_000)]


class CodeView(BaseModel):
    code: str
    member_id: str
    status: str
    link: str
    created_at: datetime
    deactivated_at: datetime | None = None


class CodeLookup(BaseModel):
    code: str
    active: bool
    member_id: str | None = Field(default=None, description="Shown to ops only.")


class ReferralView(BaseModel):
    referral_id: str
    referrer_id: str
    invitee_id: str
    code: str
    program_version: int
    status: str
    flags: list[str]
    enrolled_at: datetime
    registered_at: datetime
    qualify_by: datetime
    qualified_at: datetime | None
    qualifying_kind: str | None
    qualifying_amount: int | None
    currency: str | None
    attributed_by: str | None


class Reward(BaseModel):
    referral_id: str
    invitee_id: str
    coupon_template: str | None
    points_worth: int = Field(description="Minor units the referrer's points are worth.")
    currency: str


class ReferralPage(BaseModel):
    member_id: str
    code: str | None
    link: str | None
    invited: int
    qualified: int
    pending: int
    rewards: list[Reward]
    referrals: list[ReferralView]


class ProgramBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "currency": "CNY", "qualifies_on": ["purchase", "recharge"], "min_amount": 10_000,
        "window_days": 30, "referrer_coupon_template": "referral_friend_50",
        "invitee_coupon_template": "referral_friend_50", "referrer_points_bps": 1000,
        "monthly_cap": 10, "burst_limit": 20, "burst_minutes": 60, "clawback_days": 30,
        "late_attribution_days": 14}]})

    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "CNY"
    qualifies_on: list[Literal["purchase", "recharge"]] = Field(min_length=1, max_length=2)
    min_amount: Amount
    window_days: Annotated[StrictInt, Field(ge=1, le=3650)]
    referrer_coupon_template: Reference | None = None
    invitee_coupon_template: Reference | None = None
    referrer_points_bps: Annotated[StrictInt, Field(ge=0, le=10_000)] = 0
    monthly_cap: Count
    burst_limit: Annotated[StrictInt, Field(ge=1, le=1_000_000)] = 20
    burst_minutes: Annotated[StrictInt, Field(ge=1, le=10_080)] = 60
    clawback_days: Annotated[StrictInt, Field(ge=0, le=3650)] = 30
    late_attribution_days: Annotated[StrictInt, Field(ge=0, le=3650)] = 14


class ProgramView(ProgramBody):
    model_config = ConfigDict(extra="ignore")

    version: int
    created_by: str | None = None


class LateAttribution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invitee_id: Id
    code: Reference
    note: Note


class ReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note
