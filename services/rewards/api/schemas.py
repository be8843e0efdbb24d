"""Rewards' HTTP request bodies and the per-kind offer terms (OpenAPI comes from these)."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    model_validator,
)

from shared.http.ids import Id
from shared.http.moments import Moment

Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Bps = Annotated[StrictInt, Field(ge=0, le=10_000, description="Basis points: 500 = 5 %.")]
Multiplier = Annotated[StrictInt, Field(ge=10_000, le=100_000,
                                        description="Basis points: 20000 = x2.")]
Amount = Annotated[StrictInt, Field(gt=0, le=10**12, description="Minor units.")]
# PostgreSQL text cannot hold NUL: refused here with 422, not by the driver with a 500.
NO_NUL = r"^[^\x00]*$"
Note = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True,
                                        pattern=NO_NUL)]
# No `tier_multiplier`: tier multipliers are tiering's (TierProgramPublished), not an offer.
OfferKind = Literal["ladder", "first_recharge", "cumulative", "campaign", "cashback",
                    "spend_and_save", "first_n_gift", "member_day_discount"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LadderTerms(Strict):
    rungs: list[tuple[Amount, Amount]] = Field(min_length=1, description="[threshold, bonus]")

    @model_validator(mode="after")
    def _rising(self) -> Self:
        thresholds = [t for t, _ in self.rungs]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("rung thresholds must be strictly increasing")
        return self


class FirstRechargeTerms(Strict):
    bps: Bps


class CumulativeTerms(Strict):
    threshold: Annotated[StrictInt, Field(ge=0)]
    bps: Bps


class CampaignTerms(Strict):
    bonus_bps: Multiplier = 10_000
    points_bps: Multiplier = 10_000
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=[], description="0 = Monday, in the merchant's time zone; empty = every day.")
    segments: list[Literal["new", "dormant", "high_value"]] = Field(
        default=[], description="Built-in segments decided at the recharge (compatibility).")
    segment_ids: list[Id] = Field(
        default=[], max_length=20,
        description="Segments as data (/v1/segments); with `segments` empty too, everyone.")
    max_per_member: Annotated[StrictInt, Field(ge=1, le=10_000)] | None = Field(
        default=None, description="Times one member may benefit from the campaign.")
    points_budget: Annotated[StrictInt, Field(gt=0, le=10**12)] | None = Field(
        default=None, description="Points the campaign may add in all (points campaigns).")


Weekdays = Annotated[list[Annotated[int, Field(ge=0, le=6)]], Field(
    description="0 = Monday, in the merchant's time zone; empty = every day.")]
Segments = Annotated[list[Literal["new", "dormant", "high_value"]], Field(
    description="Empty = every member.")]
SegmentIds = Annotated[list[Id], Field(
    max_length=20, description="Segments as data (/v1/segments), read at the purchase; "
                               "with `segments` empty too, every member.")]
Rungs = Annotated[list[tuple[Amount, Amount]], Field(description="[threshold, amount], rising")]


def _rising(rungs: list[tuple[int, int]]) -> None:
    thresholds = [t for t, _ in rungs]
    if thresholds != sorted(set(thresholds)):
        raise ValueError("thresholds must be strictly increasing")


class CashbackTerms(Strict):
    """Cash-back on a purchase: bps of what the member paid, plus the highest rung reached."""

    bps: Bps = 0
    rungs: Rungs = []
    cap: Amount | None = Field(default=None, description="At most this per purchase.")
    min_spend: Annotated[StrictInt, Field(ge=0, le=10**12)] = 0
    weekdays: Weekdays = []
    segments: Segments = []
    segment_ids: SegmentIds = []

    @model_validator(mode="after")
    def _pays_something(self) -> Self:
        _rising(self.rungs)
        if not self.bps and not self.rungs:
            raise ValueError("a cashback offer needs bps or rungs")
        return self


class SpendAndSaveTerms(Strict):
    thresholds: Rungs = Field(min_length=1, description="[cumulative spend, reward], rising")
    weekdays: Weekdays = []
    segments: Segments = []
    segment_ids: SegmentIds = []

    @model_validator(mode="after")
    def _rising_thresholds(self) -> Self:
        _rising(self.thresholds)
        return self


class FirstNGiftTerms(Strict):
    n: Annotated[StrictInt, Field(ge=1, le=10_000_000, description="How many members.")]
    bonus: Annotated[StrictInt, Field(ge=0, le=10**12)] = 0
    coupon_template: Id | None = None
    min_spend: Annotated[StrictInt, Field(ge=0, le=10**12)] = 0
    segments: Segments = []
    segment_ids: SegmentIds = []

    @model_validator(mode="after")
    def _gives_something(self) -> Self:
        if not self.bonus and not self.coupon_template:
            raise ValueError("a first_n_gift needs a bonus or a coupon_template")
        return self


class MemberDayDiscountTerms(Strict):
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday, merchant's zone.")]
    category: Id = Field(description="The product category the POS applies it to.")
    bps: Annotated[StrictInt, Field(ge=1, le=10_000, description="Basis points off.")]


TERMS = {"ladder": LadderTerms, "first_recharge": FirstRechargeTerms,
         "cumulative": CumulativeTerms, "campaign": CampaignTerms, "cashback": CashbackTerms,
         "spend_and_save": SpendAndSaveTerms, "first_n_gift": FirstNGiftTerms,
         "member_day_discount": MemberDayDiscountTerms}
NEEDS_CURRENCY = {"ladder", "cumulative", "cashback", "spend_and_save", "first_n_gift"}
BUDGETED = {"campaign", "cashback", "spend_and_save", "first_n_gift"}


class OfferVersionRequest(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "kind": "campaign", "name": "Double bonus week", "currency": "CNY",
        "terms": {"bonus_bps": 20000}, "effective_from": "2026-12-01T00:00:00Z",
        "effective_to": "2026-12-08T00:00:00Z", "budget": 5_000_000}]})

    kind: OfferKind
    name: Note
    currency: Currency | None = None
    terms: dict = Field(description="Shape depends on kind; see the docs.")
    effective_from: Moment | None = Field(default=None, description="Default: now.")
    effective_to: Moment | None = None
    budget: Amount | None = Field(
        default=None, description="campaign, cashback, spend_and_save, first_n_gift: the "
        "total bonus it may pay, never exceeded.")


class ReviewRequest(Strict):
    note: Note


class CouponTemplateRequest(Strict):
    template_id: Id
    name: Note
    kind: Literal["amount_off", "percent_off", "threshold", "no_threshold"]
    value: Amount
    currency: Currency | None = None
    min_spend: Amount | None = None
    valid_days: Annotated[StrictInt, Field(ge=1, le=3660)] = 30
    points_cost: Amount | None = Field(default=None, description="Members can buy it with points.")


class IssueCouponRequest(Strict):
    member_id: Id
    template_id: Id
    reason: Literal["campaign", "referral", "renewal", "birthday", "service_recovery"]


class ValidateCouponRequest(Strict):
    code: Annotated[str, StringConstraints(min_length=1, max_length=64, strip_whitespace=True,
                                           pattern=NO_NUL)]
    member_id: Id
    basket_total: Annotated[StrictInt, Field(ge=0, le=10**12)]
    currency: Currency


class PointsRedemptionRequest(Strict):
    template_id: Id


class PointsAwardRequest(Strict):
    points: Amount
    task: Id = Field(description="The campaign task the points reward, e.g. profile_completed.")


class CouponIssueRequest(Strict):
    """A bulk issue: one coupon of `template_id` to each listed member, or to each member
    of a segment (a built-in name, or a segment as data by `segment_id`) as it is when the
    job is made. A list has at most 5,000 ids (the body limit); more members, more jobs —
    or a segment."""

    template_id: Id
    member_ids: list[Id] | None = Field(default=None, min_length=1, max_length=5_000)
    segment: Literal["new", "dormant", "high_value"] | None = None
    segment_id: Id | None = Field(default=None, description="A segment as data (/v1/segments).")

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        given = [x for x in (self.member_ids, self.segment, self.segment_id) if x is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of member_ids, segment or segment_id")
        return self


class SegmentVersionRequest(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "name": "Gold members of store 2", "kind": "rule", "rule": {"all": [
            {"fact": "tier", "op": "eq", "value": "gold"},
            {"fact": "home_store", "op": "eq", "value": "store_2"}]}}]})

    name: Note
    kind: Literal["rule", "list"] = Field(
        default="rule", description="rule: members whose facts match `rule`; list: uploaded.")
    rule: dict | None = Field(default=None, description="all/any/not over comparisons of "
                              "named facts (docs/rewards.md, Segments); none for a list.")


class SegmentMembersRequest(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "member_ids": ["m_1", "m_2"]}]})

    member_ids: list[Id] = Field(min_length=1, max_length=1000,
                                 description="Up to 1,000 members per call.")


# Experiments (api/experiments.py)
ArmName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,32}$")]


class ExperimentArmRequest(Strict):
    arm: ArmName = Field(description="`holdout` for the holdout (exactly one, no figures).")
    weight_bps: Annotated[StrictInt, Field(ge=1, le=10_000, description="Share of members.")]
    bonus_bps: Multiplier | None = Field(
        default=None, description="The campaign's multiplier for this arm; none = as defined.")
    price_bps: Annotated[StrictInt, Field(ge=-5_000, le=9_999)] | None = Field(
        default=None, description="A renewal price's discount for this arm (negative: dearer).")


class ExperimentRequest(Strict):
    experiment_id: Id
    name: Note
    subject_kind: Literal["campaign", "renewal_price"]
    subject_id: Id = Field(description="The campaign's offer id; `membership` for a renewal price.")
    arms: list[ExperimentArmRequest] = Field(min_length=2, max_length=10,
                                             description="In bucket order; weights sum to 10000.")
    starts_at: Moment
    ends_at: Moment
