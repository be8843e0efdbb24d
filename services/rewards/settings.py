"""Rewards settings (`PATRONAGE_REWARDS_*`): fraud thresholds, points, segments, reports.

The offers themselves (ladder, percentages, tier multipliers, campaigns) are data, edited by
ops through `/v1/offers`; what lives here is how the screen and the points ledger behave.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.rewards.rules.fraud import FraudThresholds
from shared.time_zones import TimeZoneName


class RewardsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_REWARDS_", extra="ignore")

    timezone: TimeZoneName = Field(default="Asia/Shanghai",
                          description="The merchant's time zone: weekly member days use it.")
    fraud: FraudThresholds = Field(default_factory=FraudThresholds)
    no_bonus_on_cards: bool = Field(
        default=True, description="Reject the bonus of a recharge on an unregistered card "
        "(RechargeCompleted.card_kind = card) with `unregistered_card`, unscreened.")
    dormant_after_days: int = Field(default=90, ge=1)
    high_value_from: int = Field(default=1_000_000, ge=0,
                                 description="Lifetime recharge (minor units) of the high_value segment.")
    minor_units_per_point: int = Field(default=100, ge=1, description="1 point per 1.00 spent.")
    points_expiry_years: int = Field(default=1, ge=0,
                                     description="Expire at the end of the N-th following year; 0 = never.")
    referral_points: int = Field(default=500, ge=0, description="Points a qualified referral "
                                 "earns when its event carries no program share (first v1).")
    points_expiry_every_seconds: float = Field(default=3600, gt=0,
                                               description="How often the expiry sweep runs.")
    segment_refresh_every_seconds: float = Field(
        default=86_400, gt=0, description="How often every member's segments are evaluated "
        "again for facts that move with time alone (windows, days to expiry, birthday month).")
    coupon_issue_every_seconds: float = Field(
        default=5, gt=0, description="How often the bulk coupon issuance job looks for work.")
    coupon_issue_batch: int = Field(
        default=500, ge=1, le=5_000, description="Coupons issued per transaction by a bulk "
        "issue (each batch commits its coupons, their events and the job's cursor at once).")
    coupon_issue_batches_per_round: int = Field(
        default=20, ge=1, description="Batches one round of the job issues at most, so a "
        "stopping service waits for one round, never for a whole job.")
    renewal_coupon_template: str | None = Field(
        default="renewal_save20", description="Coupon issued on a membership's first expiry "
        "reminder, once per term; empty to issue none.")
    referral_coupon_template: str | None = Field(
        default=None, description="Coupon the referrer gets when a referral qualifies and its "
        "event carries no program rewards (first v1); the program's templates otherwise.")
    birthday_coupon_template: str | None = Field(
        default="birthday_gift", description="Coupon issued on a member's birthday "
        "(tiering's MemberBirthday), once a year.")

    report_currency: str = Field(
        default="CNY", pattern=r"^[A-Z]{3}$", description="The currency the KPIs and the "
        "scheduled reports count money in (docs/kpis.md); activity in another currency "
        "counts as activity, its amounts do not.")
    scheduled_reports_every_seconds: float = Field(
        default=900, gt=0, description="How often the leader looks for a daily or weekly "
        "report that is due (each is made once, whatever the interval).")

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache
def get_rewards_settings() -> RewardsSettings:
    return RewardsSettings()
