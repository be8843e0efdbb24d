"""Tiering's HTTP request and response bodies (OpenAPI is generated from these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, model_validator

from shared.events.tiering import Birthday, Locale
from shared.http.ids import Id, Reference
from shared.http.moments import Moment

# PostgreSQL text cannot hold NUL: refuse it at the edge (422) instead of failing in the driver.
NO_NUL = r"^[^\x00]+$"
Amount = Annotated[StrictInt, Field(ge=0, le=10**15, description="Minor units, an integer.")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 -]{5,20}$")]
Bps = Annotated[StrictInt, Field(ge=0, le=10_000, description="Basis points: 500 = 5 %.")]


class EnrollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_id": "m_1001", "member_number": "SH-000123", "store_id": "store_1",
        "channel": "pos", "birthday": "08-15", "locale": "zh-CN", "phone": "+8613800000000"}]})

    member_id: Id
    member_number: Reference | None = Field(
        default=None, description="The merchant's own member number; assigned when absent.")
    store_id: Reference | None = None
    channel: Literal["pos", "app", "online"] = "pos"
    referral_code: Reference | None = None
    birthday: Birthday | None = None
    locale: Locale = "zh-CN"
    phone: Phone | None = Field(
        default=None, description="Kept here; never broadcast in events.")
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$",
                                            max_length=254)] | None = None
    device_hash: Reference | None = Field(
        default=None, description="The app's hash of the signing-up device; passed on in "
        "MemberEnrolled for referral's abuse rules, not stored here.")


class MemberView(BaseModel):
    member_id: str
    member_number: str
    store_id: str | None
    channel: str
    referral_code: str | None
    birthday: str | None
    locale: str
    phone: str | None
    email: str | None
    tier: str
    tier_since: datetime
    review_at: datetime
    enrolled_at: datetime


class BenefitsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    discount_bps: Bps = 0
    points_multiplier_bps: Annotated[StrictInt, Field(ge=0, le=100_000)] = Field(
        default=10_000, description="Points per purchase x this (basis points); rewards pays it.")
    bonus_multiplier_bps: Annotated[StrictInt, Field(ge=0, le=100_000)] = Field(
        default=10_000, description="Recharge bonus x this (basis points); rewards pays it.")
    free_services: tuple[Reference, ...] = ()
    priority_support: bool = False


class TierBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Reference
    spend_threshold: Amount = 0
    recharge_threshold: Amount = 0
    benefits: BenefitsBody = Field(default_factory=BenefitsBody)


class TierRulesBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "measure": "spend_12m", "tiers": [
            {"name": "regular"},
            {"name": "silver", "spend_threshold": 500000, "benefits": {"discount_bps": 300}},
            {"name": "gold", "spend_threshold": 2000000,
             "benefits": {"discount_bps": 500, "points_multiplier_bps": 15000,
                          "bonus_multiplier_bps": 12000}}]}]})

    measure: Literal["spend_12m", "lifetime_recharge", "both"]
    tiers: Annotated[tuple[TierBody, ...], Field(min_length=1, max_length=20)]


class TierRulesView(TierRulesBody):
    version: int


class TierRulesVersion(BaseModel):
    version: int
    measure: str
    created_by: str
    created_at: datetime


class TierRulesHistory(BaseModel):
    items: list[TierRulesVersion] = Field(description="Newest first; the settings' default "
                                          "(version 0) is not listed.")


class TierChangeView(BaseModel):
    change_id: int
    member_id: str
    from_tier: str
    to_tier: str
    direction: str
    reason: str
    qualifying_amount: int
    rules_version: int
    effective_at: datetime


class TermView(BaseModel):
    term_id: UUID
    term_start: datetime
    term_end: datetime
    years: int
    price: int
    currency: str
    purchase_id: str
    bought_at: datetime


class ErasureConfirmation(BaseModel):
    service: str
    confirmed_at: datetime | None = Field(description="When the service confirmed it erased "
                                          "its part; null: not yet.")


class ErasureView(BaseModel):
    request_id: UUID
    member_id: str
    reason: Literal["request", "retention"]
    status: Literal["cooling_off", "cancelled", "erasing", "completed"]
    requested_by: str
    requested_at: datetime
    erase_at: datetime = Field(description="The end of the cooling-off: until then the member "
                               "or ops may cancel.")
    started_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancelled_by: str | None
    confirmations: list[ErasureConfirmation] = Field(
        description="Every service, and when it confirmed: the request completes with the last.")
class DataExportDownload(BaseModel):
    actor: str
    downloaded_at: datetime


class DataExportView(BaseModel):
    export_id: UUID
    member_id: str
    status: Literal["building", "ready", "expired"]
    parts_done: int = Field(description="Services whose part is stored, of `parts_total`.")
    parts_total: int
    parts: dict[str, bool]
    requested_by: str
    created_at: datetime
    expires_at: datetime
    downloads: list[DataExportDownload] = Field(description="Who downloaded it, and when.")


class ProfileCorrection(BaseModel):
    """The member's own corrections; a field left out is kept, a null clears it (not the
    locale). Contact details for messages are the notifier's (`PATCH .../contact`)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "email": "li.lei@example.com", "phone": "+8613800000001", "birthday": "08-15",
        "locale": "zh-CN"}]})

    phone: Phone | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$",
                                            max_length=254)] | None = None
    birthday: Birthday | None = None
    locale: Locale | None = None


class CorrectionView(BaseModel):
    correction_id: int
    member_id: str
    actor: str
    changed_at: datetime
    changes: dict[str, dict[str, str | None]] = Field(
        description="Field → {from, to}; phone, email and birthday masked.")


Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]


class TierGrantBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "tier": "gold", "reason": "complaint settled: gold until the next review",
        "until_next_review": True}]})

    tier: Reference
    reason: Reason = Field(description="Why: kept with the grant and shown in TierChanged.")
    expires_at: Moment | None = Field(default=None, description="When the grant ends; or "
                                      "send until_next_review instead.")
    until_next_review: bool = Field(default=False, description="The grant ends when the "
                                    "member's next anniversary review runs.")

    @model_validator(mode="after")
    def _one_end(self) -> TierGrantBody:
        if (self.expires_at is None) == (not self.until_next_review):
            raise ValueError("send exactly one of expires_at and until_next_review: true")
        return self


class RevokeGrantBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "reason": "granted to the wrong member"}]})

    reason: Reason


class TierGrantView(BaseModel):
    grant_id: UUID
    member_id: str
    tier: str
    source: Literal["ops", "renewal"]
    reason: str
    state: Literal["scheduled", "active", "expired", "revoked"]
    starts_at: datetime
    expires_at: datetime
    until_next_review: bool
    purchase_id: str | None
    granted_by: str
    granted_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None
    revoke_reason: str | None


BenefitCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
BenefitName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]


class BenefitNames(BaseModel):
    model_config = ConfigDict(extra="forbid")

    zh: BenefitName
    en: BenefitName


class BenefitDefinitionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: BenefitCode
    name: BenefitNames
    quota: Annotated[StrictInt, Field(ge=0, le=10_000, description="Redemptions per period "
                                      "(per year of a term); 0: a standing flag benefit.")]
    period: Literal["tier_year", "term"] = Field(description="tier_year: per calendar year in "
                                                 "the merchant's zone while in one of `tiers`; "
                                                 "term: per paid membership term.")
    tiers: Annotated[tuple[Reference, ...], Field(max_length=20, description="The tiers that "
                                                  "grant it; for a term benefit, empty = any.")] = ()


class BenefitDefinitionsBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"benefits": [
        {"code": "free_service", "name": {"zh": "免费服务", "en": "Free service"}, "quota": 3,
         "period": "tier_year", "tiers": ["gold", "diamond"]},
        {"code": "quarterly_perk", "name": {"zh": "季度礼遇", "en": "Quarterly perk"},
         "quota": 4, "period": "term"},
        {"code": "priority_support", "name": {"zh": "优先服务", "en": "Priority support"},
         "quota": 0, "period": "tier_year", "tiers": ["diamond"]}]}]})

    benefits: Annotated[tuple[BenefitDefinitionBody, ...], Field(max_length=50)]


class BenefitDefinitionsView(BenefitDefinitionsBody):
    version: int


class EntitlementView(BaseModel):
    entitlement_id: UUID
    code: str
    name: BenefitNames | None = Field(description="None if no longer defined.")
    quota: int
    used: int
    remaining: int
    period_start: datetime
    period_end: datetime
    granted_for: Literal["tier", "term"]
    tier: str | None
    term_id: UUID | None


class MemberEntitlementsView(BaseModel):
    member_id: str
    items: list[EntitlementView]


class RedemptionReceipt(BaseModel):
    redemption_id: UUID
    entitlement_id: UUID
    member_id: str
    code: str
    store_id: str
    terminal_id: str
    redeemed_at: datetime
    used: int
    quota: int
    remaining: int


class ReversalBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"reason": "redeemed on the wrong member at the till"}]})

    reason: Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL,
                                             strip_whitespace=True)]


class ReversalReceipt(BaseModel):
    redemption_id: UUID
    entitlement_id: UUID
    member_id: str
    code: str
    reversed_at: datetime
    reversed_by: str
    reason: str
    used: int
    quota: int
    remaining: int
