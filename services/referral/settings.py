"""Referral settings (`PATRONAGE_REFERRAL_*`): the program shipped by default (version 0)
and the share link. Programs changed through the API are stored as versions and replace
the default for referrals registered from then on."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.referral.rules.programs import Program, check_program
from shared.rule_violations import RuleViolation


class ReferralSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_REFERRAL_", extra="ignore")

    share_link_base: str = Field(default="https://join.patronage.example/r/",
                                 description="A member's share link is this plus their code.")
    expiry_every_seconds: float = Field(default=3600, gt=0, description="How often referrals "
                                        "whose window closed are marked expired.")
    # The default program: "bring a friend, you each get a 50 voucher once the friend's
    # first order or recharge of at least 100.00; the referrer also earns points worth
    # 10 % of it". Every field can be replaced by a stored version (POST /v1/programs).
    currency: str = "CNY"
    min_amount: int = Field(default=10_000, ge=1)
    window_days: int = Field(default=30, ge=1)
    referrer_coupon_template: str | None = "referral_friend_50"
    invitee_coupon_template: str | None = "referral_friend_50"
    referrer_points_bps: int = Field(default=1_000, ge=0, le=10_000)
    monthly_cap: int = Field(default=10, ge=0)
    burst_limit: int = Field(default=20, ge=1)
    burst_minutes: int = Field(default=60, ge=1)
    clawback_days: int = Field(default=30, ge=0)
    late_attribution_days: int = Field(default=14, ge=0)

    @model_validator(mode="after")
    def _a_program_that_can_run(self) -> ReferralSettings:
        # the same checks as a version stored through the API, at start-up
        try:
            check_program(self.default_program())
        except RuleViolation as refused:
            raise ValueError(f"the default referral program: {refused.detail}") from refused
        return self

    def default_program(self) -> Program:
        return Program(
            version=0, currency=self.currency, qualifies_on=("purchase", "recharge"),
            min_amount=self.min_amount, window_days=self.window_days,
            referrer_coupon_template=self.referrer_coupon_template,
            invitee_coupon_template=self.invitee_coupon_template,
            referrer_points_bps=self.referrer_points_bps, monthly_cap=self.monthly_cap,
            burst_limit=self.burst_limit, burst_minutes=self.burst_minutes,
            clawback_days=self.clawback_days, late_attribution_days=self.late_attribution_days)


@lru_cache
def get_referral_settings() -> ReferralSettings:
    return ReferralSettings()
