"""Events of the referral service (topic `referral.events`).

Their envelope `member_id` is the referrer, the member whose rewards they grant or revoke,
so that one referrer's referral events stay in order on one partition.

The fields after the first ones of each event were added within v1 (additive, optional):
a consumer written against the first v1 keeps working.
"""

from __future__ import annotations

from typing import Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from shared.events.data_exports import DataExportPartReady
from shared.events.envelope import Currency, EntityId, Event, FreeText, MemberId, MinorUnits

QualifyingKind = Literal["purchase", "recharge"]


class ReferralRegistered(Event):
    """An invitee signed up with a referrer's code."""

    event_type = "ReferralRegistered"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: MemberId = Field(description="Member id of the one who invited.")
    invitee_id: MemberId = Field(description="Member id of the one who was invited.")
    code: EntityId = Field(description="The referral code used.")
    program_version: int | None = Field(
        default=None, ge=0, description="The referral program version the referral runs under.")
    attributed_by: EntityId | None = Field(
        default=None, description="The operator who attributed it late; None at enrolment.")

    @model_validator(mode="after")
    def _no_self_referral(self) -> Self:
        if self.referrer_id == self.invitee_id:
            raise ValueError("a member cannot refer themselves")
        return self


class ReferralQualified(Event):
    """The invitee did what the program asks (e.g. a first order); the referrer earns.

    The rewards for both sides travel with the event, as the program version decided them,
    so a later change of program never rewrites what a past referral earns."""

    event_type = "ReferralQualified"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: MemberId = Field(description="Member id of the one who invited.")
    invitee_id: MemberId = Field(description="Member id of the one who was invited.")
    qualifying_event_id: UUID = Field(description="The event that qualified it.")
    qualifying_amount: MinorUnits
    currency: Currency
    qualifying_kind: QualifyingKind | None = Field(
        default=None, description="Whether a purchase or a recharge qualified it.")
    qualifying_source_id: EntityId | None = Field(
        default=None, description="The purchase_id or recharge_id that qualified it.")
    program_version: int | None = Field(default=None, ge=0)
    referrer_coupon_template: EntityId | None = Field(
        default=None, description="Coupon template the referrer gets; None: none.")
    invitee_coupon_template: EntityId | None = Field(
        default=None, description="Coupon template the invitee gets; None: none.")
    referrer_points_bps: int | None = Field(
        default=None, ge=0, le=10_000,
        description="Points worth this share (basis points) of qualifying_amount go to the "
                    "referrer; None: the rewards service's fixed referral points.")
    approved_by: EntityId | None = Field(
        default=None, description="The operator who released it from review, if it was held.")

    @model_validator(mode="after")
    def _no_self_referral(self) -> Self:
        if self.referrer_id == self.invitee_id:
            raise ValueError("a member cannot refer themselves")
        return self


class ReferralHeld(Event):
    """The invitee qualified but something looks like abuse: nothing is rewarded until an
    operator approves (then `ReferralQualified`) or rejects it."""

    event_type = "ReferralHeld"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: MemberId
    invitee_id: MemberId
    reasons: tuple[EntityId, ...] = Field(
        min_length=1, description="Abuse rules that fired, e.g. same_device, ring, burst.")


class ReferralRevoked(Event):
    """A referral no longer counts (refund, abuse); what it earned is clawed back."""

    event_type = "ReferralRevoked"
    producer_name = "referral"

    referral_id: EntityId
    reason: FreeText
    invitee_id: MemberId | None = Field(default=None, description="The invited member.")


ReferralOutcome = Literal["rejected", "capped", "expired", "revoked"]


class ReferralClosed(Event):
    """A referral ended without a reward, so a referrer's page stops showing it pending:
    `rejected` by an operator after review, `capped` by the program's monthly limit,
    `expired` when its window closed without a qualifying spend, or `revoked` while held
    (its qualifying spend refunded; a rewarded one is `ReferralRevoked` instead). Only
    `expired` may be followed by `ReferralQualified`: a spend made within the window that
    arrives late still counts."""

    event_type = "ReferralClosed"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: MemberId
    invitee_id: MemberId
    outcome: ReferralOutcome
    reasons: tuple[EntityId, ...] = Field(
        description="Why: the abuse rules that held it, monthly_cap, window_closed, or "
                    "qualifying_<kind>_refunded.")
    decided_by: EntityId = Field(description="The operator who rejected it, or `referral`.")


class ReferralCodeChanged(Event):
    """A member's referral code became active (made on first ask, or by a rotation) or
    inactive (deactivated, or replaced by a rotation: then one event for each code). Keyed
    by the code's owner; an inactive code refers nobody new, its referrals stay."""

    event_type = "ReferralCodeChanged"
    producer_name = "referral"

    code: EntityId
    status: Literal["active", "inactive"]


class ReferralDataExportPartReady(DataExportPartReady):
    """The referral built and stored its part of a member's data export (docs/privacy.md);
    tiering counts it towards the export's progress and fetches it when the archive is
    downloaded."""

    event_type = "ReferralDataExportPartReady"
    producer_name = "referral"
