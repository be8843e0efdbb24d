"""Events of the rewards service (topic `rewards.events`): bonus decisions on recharges,
the points ledger and coupons.

Each recharge gets exactly one bonus decision, so its grant id is derived from the recharge
id (`grant_id_for`): a decision replayed or re-made after review carries the same grant id,
and the wallet credits a grant at most once.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self
from uuid import UUID, uuid5

from pydantic import Field, model_validator

from shared.events.data_exports import DataExportPartReady
from shared.events.envelope import (
    Currency,
    EntityId,
    Event,
    FreeText,
    MinorUnits,
    UtcDatetime,
    ValueObject,
)

# Fixed forever: changing it would give every recharge a second grant id.
GRANT_ID_NAMESPACE = UUID("5b0e7a3c-2f4d-4c61-9a8e-3d1f6b2c9e47")

Points = Annotated[int, Field(ge=0, description="A number of points.")]
PointsBalance = Annotated[int, Field(ge=0, description="The member's points after this entry.")]
GrantId = Annotated[UUID, Field(description="grant_id_for(recharge_id): one per recharge.")]


def grant_id_for(recharge_id: str) -> UUID:
    """The one grant id a recharge's bonus decision can have."""
    return uuid5(GRANT_ID_NAMESPACE, recharge_id)


def _check_grant_id(grant_id: UUID, recharge_id: str) -> None:
    if grant_id != grant_id_for(recharge_id):
        raise ValueError("grant_id must be grant_id_for(recharge_id)")


class AppliedRule(ValueObject):
    """An incentive rule or campaign that contributed to a bonus."""

    id: EntityId
    name: FreeText


class HoldReason(ValueObject):
    """Why the fraud screen (or a reviewer) held or rejected a bonus."""

    rule: EntityId = Field(description="The screening rule that fired.")
    detail: FreeText


class BonusGranted(Event):
    """The bonus for a recharge was granted; the wallet will credit it."""

    event_type = "BonusGranted"
    producer_name = "rewards"

    grant_id: GrantId
    recharge_id: EntityId
    amount: MinorUnits
    currency: Currency
    rules: tuple[AppliedRule, ...] = Field(default=(), description="Rules that produced it.")
    reviewed_by: EntityId | None = Field(
        default=None, description="The reviewer, when granted after manual review.")
    principal_released: bool = Field(
        default=False, description="The reviewer approved a recharge whose principal the "
        "wallet held (RechargeCompleted.principal_held): the wallet makes it spendable.")

    @model_validator(mode="after")
    def _grant_id_from_recharge(self) -> Self:
        _check_grant_id(self.grant_id, self.recharge_id)
        return self


class BonusHeld(Event):
    """The bonus for a recharge awaits manual review."""

    event_type = "BonusHeld"
    producer_name = "rewards"

    grant_id: GrantId
    recharge_id: EntityId
    amount: MinorUnits = Field(description="The bonus that would be granted on approval.")
    currency: Currency
    reasons: tuple[HoldReason, ...] = Field(min_length=1)
    risk_score: int = Field(ge=0, le=100, description="Fraud screen score, 100 = riskiest.")

    @model_validator(mode="after")
    def _grant_id_from_recharge(self) -> Self:
        _check_grant_id(self.grant_id, self.recharge_id)
        return self


class BonusRejected(Event):
    """No bonus will be granted for a recharge."""

    event_type = "BonusRejected"
    producer_name = "rewards"

    grant_id: GrantId
    recharge_id: EntityId
    reasons: tuple[HoldReason, ...] = Field(min_length=1)
    reviewed_by: EntityId | None = Field(
        default=None, description="The reviewer; absent when the screen rejected it outright.")

    @model_validator(mode="after")
    def _grant_id_from_recharge(self) -> Self:
        _check_grant_id(self.grant_id, self.recharge_id)
        return self


class PointsEarned(Event):
    """Points were added to a member's points ledger."""

    event_type = "PointsEarned"
    producer_name = "rewards"

    entry_id: EntityId = Field(description="The points ledger entry.")
    source_event_id: UUID = Field(description="The event that earned the points.")
    points: Points
    reason: Literal["purchase", "recharge", "referral", "campaign"] = Field(
        description="What earned them.")
    expires_at: UtcDatetime | None = Field(default=None, description="None: never expires.")
    balance: PointsBalance


class PointsRedeemed(Event):
    """A member exchanged points for a reward."""

    event_type = "PointsRedeemed"
    producer_name = "rewards"

    entry_id: EntityId = Field(description="The points ledger entry.")
    points: Points
    reward_reference: EntityId = Field(description="What the points were exchanged for.")
    balance: PointsBalance


class PointsReversed(Event):
    """Points were taken back because what earned them was undone: the purchase was
    refunded (in proportion to the refunded share) or the referral was revoked. Never below
    a zero balance: points already spent stay spent."""

    event_type = "PointsReversed"
    producer_name = "rewards"

    entry_id: EntityId = Field(description="The points ledger entry.")
    points: Points = Field(description="The points taken back.")
    reason: Literal["purchase_refunded", "referral_revoked"]
    source_id: EntityId = Field(
        description="What had earned them: the purchase id, or the referral id.")
    refund_id: EntityId | None = Field(
        default=None, description="The wallet refund, for a purchase_refunded reversal.")
    balance: PointsBalance


class PointsExpired(Event):
    """Points reached their expiry date unused and left the balance."""

    event_type = "PointsExpired"
    producer_name = "rewards"

    entry_id: EntityId = Field(description="The points ledger entry.")
    points: Points
    balance: PointsBalance


class CouponIssued(Event):
    """A coupon was given to a member.

    `value` is minor units off for amount_off, threshold and no_threshold coupons, and basis
    points off for percent_off (1500 = 15% off). A threshold coupon applies from `min_spend`.
    """

    event_type = "CouponIssued"
    producer_name = "rewards"

    coupon_id: EntityId
    code: EntityId = Field(description="What the member presents at the till.")
    template_id: EntityId
    kind: Literal["amount_off", "percent_off", "threshold", "no_threshold"]
    value: int = Field(gt=0, description="Minor units off, or basis points for percent_off.")
    currency: Currency | None = Field(
        default=None, description="Required unless a percent_off coupon has no min_spend.")
    min_spend: MinorUnits | None = Field(default=None, description="Spend needed to use it.")
    valid_from: UtcDatetime
    valid_until: UtcDatetime
    reason: FreeText = Field(description="Why it was issued, e.g. a campaign or a birthday.")

    @model_validator(mode="after")
    def _consistent_terms(self) -> Self:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        if self.kind == "percent_off" and self.value > 10_000:
            raise ValueError("a percent_off value is basis points, at most 10000")
        if self.kind == "threshold" and not self.min_spend:
            raise ValueError("a threshold coupon needs a min_spend")
        if self.kind == "no_threshold" and self.min_spend:
            raise ValueError("a no_threshold coupon has no min_spend")
        carries_money = self.kind != "percent_off" or self.min_spend is not None
        if carries_money and self.currency is None:
            raise ValueError("currency is required when value or min_spend is money")
        return self


class CouponRedeemed(Event):
    """A coupon was used on a purchase; it cannot be used again."""

    event_type = "CouponRedeemed"
    producer_name = "rewards"

    coupon_id: EntityId
    purchase_id: EntityId = Field(description="The wallet purchase it was used on.")


class CouponVoided(Event):
    """An unused coupon was withdrawn (e.g. the referral that earned it was revoked); it
    can no longer be used."""

    event_type = "CouponVoided"
    producer_name = "rewards"

    coupon_id: EntityId
    reason: FreeText


class RewardsMemberErased(Event):
    """Rewards acted on `MemberErasureStarted`: the review notes about the member are gone;
    points and coupons stay under the member id only."""

    event_type = "RewardsMemberErased"
    producer_name = "rewards"

    request_id: UUID
class RewardsDataExportPartReady(DataExportPartReady):
    """The rewards built and stored its part of a member's data export (docs/privacy.md);
    tiering counts it towards the export's progress and fetches it when the archive is
    downloaded."""

    event_type = "RewardsDataExportPartReady"
    producer_name = "rewards"


# Fixed forever: changing it would give every cash-back a second grant id.
CASHBACK_GRANT_NAMESPACE = UUID("8d2f4c1e-6a3b-4e5d-9f70-2c8b1a4d6e93")


def cashback_grant_id(offer_id: str, occasion: str) -> UUID:
    """The one grant id an offer can pay for one occasion: a purchase (cash-back, first-N
    gift) or a member's threshold (spend-and-save: `<member_id>:<threshold>`)."""
    return uuid5(CASHBACK_GRANT_NAMESPACE, f"{offer_id}:{occasion}")


class CashbackGranted(Event):
    """Rewards gives a member bonus value because of what they spent: cash-back on a
    purchase, a spend-and-save threshold reached, or a first-N gift. The wallet credits it
    as a bonus lot (with the bonus expiry), once per grant id; a refund of the purchase
    claws a `cashback` grant back in proportion (docs/wallet.md, "Cash-back lots")."""

    event_type = "CashbackGranted"
    producer_name = "rewards"

    grant_id: UUID = Field(description="cashback_grant_id(offer_id, occasion): one per occasion.")
    purchase_id: EntityId = Field(description="The wallet purchase that earned it.")
    offer_id: EntityId = Field(description="The rewards offer that paid it.")
    kind: Literal["cashback", "spend_and_save", "first_n_gift"]
    amount: MinorUnits = Field(gt=0, description="Bonus value to credit.")
    currency: Currency


class CashbackReversed(Event):
    """Rewards takes back a spend reward it granted because what earned it was undone: a
    refund brought the member's spend in a spend-and-save offer's window back under the
    threshold that reward paid. The wallet takes the grant's whole amount back from its
    lot, as far as the lot holds; what the member spent of it is recorded as unrecovered
    (docs/wallet.md, "Cash-back lots"). At most one per grant."""

    event_type = "CashbackReversed"
    producer_name = "rewards"

    grant_id: UUID = Field(description="The CashbackGranted being taken back.")
    offer_id: EntityId = Field(description="The rewards offer that paid it.")
    kind: Literal["spend_and_save"]
    amount: MinorUnits = Field(gt=0, description="What the grant credited, taken back in full.")
    currency: Currency
    refund_id: EntityId = Field(description="The wallet refund that undid it.")


# About no member: scheduled reports are keyed `_reports` (one partition, in order), as the
# notifier keys its webhook endpoints' events `_webhooks`.
REPORTS_KEY = "_reports"


class ReportFigure(ValueObject):
    """One headline figure of a scheduled report."""

    name: EntityId = Field(description="The KPI's name, as in docs/kpis.md.")
    value: int = Field(description="Minor units for money, a count, or basis points for a rate.")
    unit: Literal["minor_units", "count", "bps"]


class ScheduledReportPublished(Event):
    """A daily or weekly program report was produced and stored in rewards; the notifier
    sends it to the ops recipients (`GET /v1/reports/scheduled/{report_id}` has all of it)."""

    event_type = "ScheduledReportPublished"
    producer_name = "rewards"

    report_id: EntityId
    kind: Literal["daily", "weekly"]
    period_start: date = Field(description="First day of the period, merchant time zone.")
    period_end: date = Field(description="Last day of the period, inclusive.")
    currency: Currency
    figures: list[ReportFigure]


# The key of the events about an experiment, not a member: one partition, in order.
EXPERIMENTS_KEY = "_experiments"


class ExperimentArmParameter(ValueObject):
    """One figure an arm changes: `bonus_bps` (a campaign's multiplier) or `price_bps` (a
    discount on the renewal rate per year, negative for a dearer price)."""

    figure: EntityId
    value: int


class ExperimentArm(ValueObject):
    """A variant, or the holdout (`holdout`, no treatment), and its share of members."""

    arm: EntityId
    weight_bps: int = Field(gt=0, le=10_000, description="Its share of members, in bps; "
                            "the arms' weights sum to 10 000.")
    parameters: tuple[ExperimentArmParameter, ...] = Field(default=())


class ExperimentPublished(Event):
    """Ops defined an experiment (docs/rewards.md, "Experiments"): a member's arm is
    `shared.experiments.assign(experiment_id, member_id, arms)`, the same in every service.
    `member_id` (and so the key) is always `_experiments`."""

    event_type = "ExperimentPublished"
    producer_name = "rewards"

    experiment_id: EntityId
    subject_kind: Literal["campaign", "renewal_price"] = Field(
        description="What is under test: a recharge campaign (rewards applies it) or the "
        "renewal price (tiering applies it to its renewal quotes).")
    subject_id: EntityId = Field(
        description="The campaign's offer id; `membership` for a renewal price.")
    arms: tuple[ExperimentArm, ...] = Field(min_length=2, description="In bucket order.")
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class ExperimentStopped(Event):
    """Ops stopped an experiment before its end: no member is exposed or counted after
    `stopped_at`. `member_id` is always `_experiments`."""

    event_type = "ExperimentStopped"
    producer_name = "rewards"

    experiment_id: EntityId
    stopped_at: UtcDatetime


class ExperimentExposed(Event):
    """The member met the experiment's subject for the first time in its window: treated by
    their variant, or, in the holdout, at the point they would have been. Once per
    experiment and member."""

    event_type = "ExperimentExposed"
    producer_name = "rewards"

    experiment_id: EntityId
    arm: EntityId = Field(description="The member's arm (`holdout` for the holdout).")
    source_id: EntityId = Field(description="What exposed them: the recharge id. (Renewal "
                                "quotes expose members in tiering: TieringExperimentExposed.)")
    exposed_at: UtcDatetime
