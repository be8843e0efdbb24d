"""Events of the referral service (topic `referral.events`).

Their envelope `member_id` is the referrer, the member whose rewards they grant or revoke,
so that one referrer's referral events stay in order on one partition.
"""

from __future__ import annotations

from typing import Self
from uuid import UUID

from pydantic import Field, model_validator

from shared.events.envelope import Currency, EntityId, Event, FreeText, MinorUnits


class ReferralRegistered(Event):
    """An invitee signed up with a referrer's code."""

    event_type = "ReferralRegistered"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: EntityId = Field(description="Member id of the one who invited.")
    invitee_id: EntityId = Field(description="Member id of the one who was invited.")
    code: EntityId = Field(description="The referral code used.")

    @model_validator(mode="after")
    def _no_self_referral(self) -> Self:
        if self.referrer_id == self.invitee_id:
            raise ValueError("a member cannot refer themselves")
        return self


class ReferralQualified(Event):
    """The invitee did what the program asks (e.g. a first order); the referrer earns."""

    event_type = "ReferralQualified"
    producer_name = "referral"

    referral_id: EntityId
    referrer_id: EntityId = Field(description="Member id of the one who invited.")
    invitee_id: EntityId = Field(description="Member id of the one who was invited.")
    qualifying_event_id: UUID = Field(description="The event that qualified it.")
    qualifying_amount: MinorUnits
    currency: Currency

    @model_validator(mode="after")
    def _no_self_referral(self) -> Self:
        if self.referrer_id == self.invitee_id:
            raise ValueError("a member cannot refer themselves")
        return self


class ReferralRevoked(Event):
    """A referral no longer counts (refund, abuse); what it earned is clawed back."""

    event_type = "ReferralRevoked"
    producer_name = "referral"

    referral_id: EntityId
    reason: FreeText
