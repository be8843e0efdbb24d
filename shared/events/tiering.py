"""Events of the tiering service (topic `tiering.events`): the member registry, tiers and
paid membership terms."""

from __future__ import annotations

import calendar
import hashlib
import hmac
from datetime import date
from typing import Annotated, Literal, Self
from uuid import UUID

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from shared.events.envelope import (
    Currency,
    EntityId,
    Event,
    FreeText,
    MinorUnits,
    SalesChannel,
    UtcDatetime,
    ValueObject,
)


def _a_real_day(month_day: str) -> str:
    month, day = (int(part) for part in month_day.split("-"))
    # 29 February is a real birthday: check against a leap year.
    if day > calendar.monthrange(2000, month)[1]:
        raise ValueError(f"{month_day} is not a day of the year")
    return month_day


Birthday = Annotated[
    str,
    StringConstraints(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"),
    AfterValidator(_a_real_day),
    Field(description="Month and day, MM-DD; the year is not collected."),
]
Locale = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"),
    Field(description="BCP 47 language tag, e.g. zh-CN."),
]


def phone_hash(key: str, phone: str) -> str:
    """`MemberEnrolled.phone_hash`: HMAC-SHA256 (hex) of the number's digits under the
    deployment's key, so one number always hashes alike ("+86 138-..." and "86138...")
    but nobody outside can enumerate numbers to reverse it."""
    digits = "".join(c for c in phone if c.isdigit())
    return hmac.new(key.encode(), digits.encode(), hashlib.sha256).hexdigest()


TierName = Annotated[EntityId, Field(description="A tier configured by the merchant, e.g. gold.")]
Years = Annotated[int, Field(ge=1, description="Length of the membership term in years.")]


class MemberEnrolled(Event):
    """Someone joined the merchant's membership program."""

    event_type = "MemberEnrolled"
    producer_name = "tiering"

    store_id: EntityId | None = Field(default=None, description="Store of enrolment, if any.")
    channel: SalesChannel
    referral_code: EntityId | None = Field(default=None, description="Code given at sign-up.")
    phone_hash: EntityId | None = Field(
        default=None, description="Keyed hash (HMAC-SHA256, hex) of the member's phone number, "
        "if given: lets referral spot one person enrolling twice without the number leaving "
        "tiering.")
    device_hash: EntityId | None = Field(
        default=None, description="Hash of the signing-up device, as the app sent it.")
    birthday: Birthday | None = Field(
        default=None, description="Deprecated: always null. The birthday stays with tiering, "
        "which announces the day with MemberBirthday; kept so the v1 schema loses no field.")
    locale: Locale
    enrolled_at: UtcDatetime


class MemberBirthday(Event):
    """Today (the merchant's local day) is a member's birthday: greet them, give the
    birthday coupon. Sent once per member and year by tiering, which keeps the birthday;
    the event names the day celebrated, never the birth date (29 February is celebrated on
    the 28th in a common year)."""

    event_type = "MemberBirthday"
    producer_name = "tiering"

    celebrated_on: date = Field(description="The merchant's local day of the celebration.")


class TierChanged(Event):
    """A member moved to another tier."""

    event_type = "TierChanged"
    producer_name = "tiering"

    from_tier: TierName
    to_tier: TierName
    direction: Literal["up", "down"]
    reason: FreeText = Field(description="Why, e.g. qualifying spend reached or term expired.")
    qualifying_amount: MinorUnits = Field(description="The qualifying spend that was counted.")
    currency: Currency
    effective_at: UtcDatetime
    grant_id: EntityId | None = Field(
        default=None, description="The tier grant that raised the tier (an ops grant or a "
        "renew-and-upgrade), or that held it at a review; absent when the member earned it.")
    grant_expires_at: UtcDatetime | None = Field(
        default=None, description="When that grant ends; the tier then falls back to the "
        "earned one at the next anniversary review.")

    @model_validator(mode="after")
    def _moves_somewhere(self) -> Self:
        if self.from_tier == self.to_tier:
            raise ValueError("from_tier and to_tier must differ")
        return self


class MembershipRenewed(Event):
    """A member bought another paid membership term."""

    event_type = "MembershipRenewed"
    producer_name = "tiering"

    term_id: EntityId
    term_start: UtcDatetime
    term_end: UtcDatetime
    years: Years
    price: MinorUnits
    currency: Currency
    purchase_id: EntityId = Field(description="The wallet purchase that paid for the term.")

    @model_validator(mode="after")
    def _term_ends_after_it_starts(self) -> Self:
        if self.term_end <= self.term_start:
            raise ValueError("term_end must be after term_start")
        return self


class MembershipRevoked(Event):
    """A paid membership term was revoked because the purchase that bought it was refunded;
    later terms move earlier by its length."""

    event_type = "MembershipRevoked"
    producer_name = "tiering"

    term_id: EntityId
    purchase_id: EntityId = Field(description="The wallet purchase that had paid for the term.")
    refund_id: EntityId = Field(description="The wallet refund that revoked it.")
    price: MinorUnits = Field(description="What the term had cost.")
    currency: Currency
    membership_ends_at: UtcDatetime | None = Field(
        description="When the member's paid membership ends now; none: no term is left.")


class RenewalComponent(ValueObject):
    """One discount composed into a renewal price (docs/tiering.md, Renewal quotes)."""

    kind: Literal["segment", "length", "early", "win_back", "first_renewal"]
    bps: int = Field(ge=0, le=10_000, description="Basis points off: 1000 = 10 %.")


class RenewalQuote(ValueObject):
    """The price of renewing for a given number of years."""

    years: Years
    price: MinorUnits
    currency: Currency
    list_price: MinorUnits | None = Field(default=None, description="Before any discount.")
    components: tuple[RenewalComponent, ...] = Field(
        default=(), description="The discounts composed into the price, in the order applied.")
    floor_applied: bool | None = Field(
        default=None, description="The floor per year held the rate up before the length "
        "discount.")
    upgrade_price: MinorUnits | None = Field(
        default=None, description="Renew and move up a tier for the term: this price.")
    upgrade_to: TierName | None = Field(default=None, description="The tier that gives.")


class MembershipExpiring(Event):
    """A reminder point before a paid membership term ends (e.g. 30, 7 and 1 days before)."""

    event_type = "MembershipExpiring"
    producer_name = "tiering"

    term_id: EntityId
    term_end: UtcDatetime
    days_left: int = Field(ge=0, description="Whole days until term_end.")
    renewal_quote: tuple[RenewalQuote, ...] = Field(
        default=(), description="Renewal price per term length on offer.")


class MembershipExpired(Event):
    """A paid membership term ended without renewal."""

    event_type = "MembershipExpired"
    producer_name = "tiering"

    term_id: EntityId
    term_end: UtcDatetime
    grace_until: UtcDatetime = Field(
        description="Renewing until then continues the term; equals term_end when no grace.")

    @model_validator(mode="after")
    def _grace_follows_the_end(self) -> Self:
        if self.grace_until < self.term_end:
            raise ValueError("grace_until cannot be before term_end")
        return self


TIER_PROGRAM_KEY = "_tier_program"
Multiplier = Annotated[int, Field(ge=0, le=100_000, description="Basis points: 15000 = x1.5.")]


class TierBenefitsEntry(ValueObject):
    """One tier of a published program and the benefits it gives."""

    name: TierName
    discount_bps: int = Field(ge=0, le=10_000, description="500 = 5 % off.")
    points_multiplier_bps: Multiplier = Field(description="Scales the points a purchase earns.")
    bonus_multiplier_bps: Multiplier = Field(description="Scales the recharge bonus.")
    free_services: tuple[EntityId, ...] = ()
    priority_support: bool = False


class TierProgramPublished(Event):
    """Ops published a new version of the tier rules: every tier's benefits, in force from
    `effective_from`. The one source of the multipliers rewards pays. It is about no member:
    `member_id` (and so the Kafka key) is always `_tier_program`, which keeps every version
    in one partition, in order."""

    event_type = "TierProgramPublished"
    producer_name = "tiering"

    program_version: int = Field(ge=1, description="The tier rules version, 1, 2, ...")
    measure: Literal["spend_12m", "lifetime_recharge", "both"]
    effective_from: UtcDatetime
    tiers: tuple[TierBenefitsEntry, ...] = Field(min_length=1, description="Lowest tier first.")

    @model_validator(mode="after")
    def _about_the_program(self) -> Self:
        if self.member_id != TIER_PROGRAM_KEY:
            raise ValueError(f"member_id must be {TIER_PROGRAM_KEY}")
        if len({tier.name for tier in self.tiers}) != len(self.tiers):
            raise ValueError("tier names must be distinct")
        return self


ErasureReason = Literal["request", "retention"]


class MemberErasureStarted(Event):
    """Erase this member's personal data now: their request's cooling-off ended (or
    retention found them inactive). Every service removes or irreversibly pseudonymises
    what it holds about the member, keeps the member id where money requires it, and
    confirms with its own `<Service>MemberErased`; tiering completes the request
    (`MemberErased`) when all five have."""

    event_type = "MemberErasureStarted"
    producer_name = "tiering"

    request_id: UUID = Field(description="The erasure request; every confirmation names it.")
    reason: ErasureReason = Field(description="request: the member's or ops' request; "
                                  "retention: no activity for the configured number of days.")


class MemberErased(Event):
    """Every service confirmed the erasure of the member's personal data: the request is
    complete. The member id remains only where money requires it."""

    event_type = "MemberErased"
    producer_name = "tiering"

    request_id: UUID
    reason: ErasureReason
    services: tuple[EntityId, ...] = Field(description="The services that confirmed.")
class MemberDataExportRequested(Event):
    """A member (or ops on their behalf) asked for a copy of their data: every other
    service builds its part of the export from its own tables and announces it (e.g.
    WalletDataExportPartReady). Carries ids and the deadline only, never the data."""

    event_type = "MemberDataExportRequested"
    producer_name = "tiering"

    export_id: UUID = Field(description="The export, as `POST .../data-exports` answered it.")
    expires_at: UtcDatetime = Field(description="When the export and its parts are deleted.")
BenefitCode = Annotated[EntityId, Field(description="The benefit's code, e.g. free_service.")]


class EntitlementGranted(Event):
    """A member was granted a benefit with a quota for a period: when a tier that grants it
    was reached (per calendar year in the merchant's zone) or a membership term started
    (per term). A quota of 0 is a flag benefit (e.g. priority support): nothing to redeem."""

    event_type = "EntitlementGranted"
    producer_name = "tiering"

    entitlement_id: EntityId
    code: BenefitCode
    quota: int = Field(ge=0, description="How many redemptions the period allows.")
    period_start: UtcDatetime
    period_end: UtcDatetime
    granted_for: Literal["tier", "term"] = Field(
        description="tier: the tier's calendar year; term: a paid membership term.")
    tier: TierName | None = Field(default=None, description="The tier that granted it.")
    term_id: EntityId | None = Field(default=None, description="The term that granted it.")
    definitions_version: int = Field(ge=0, description="The benefit definitions in force.")


class EntitlementRedeemed(Event):
    """A benefit was redeemed once at a store's POS."""

    event_type = "EntitlementRedeemed"
    producer_name = "tiering"

    entitlement_id: EntityId
    redemption_id: EntityId
    code: BenefitCode
    store_id: EntityId
    terminal_id: EntityId = Field(description="The POS terminal whose key redeemed it.")
    redeemed_at: UtcDatetime
    used: int = Field(ge=1, description="Redemptions of this entitlement so far, this one included.")
    quota: int = Field(ge=1)


class EntitlementRedemptionReversed(Event):
    """Ops reversed a redemption (a mistake at the till): the quota is free again."""

    event_type = "EntitlementRedemptionReversed"
    producer_name = "tiering"

    entitlement_id: EntityId
    redemption_id: EntityId
    code: BenefitCode
    reason: FreeText
    used: int = Field(ge=0, description="Redemptions of this entitlement left standing.")
    quota: int = Field(ge=1)


class TieringExperimentExposed(Event):
    """The member was shown renewal quotes while a renewal-price experiment ran: priced by
    their variant, or, in the holdout, at the standard price they would otherwise have been
    shown. Once per experiment and member; rewards keeps it for the experiment's report."""

    event_type = "TieringExperimentExposed"
    producer_name = "tiering"

    experiment_id: EntityId
    arm: EntityId = Field(description="The member's arm (`holdout` for the holdout).")
    exposed_at: UtcDatetime
