"""How much one caller may ask of a service: rate limits, lockouts and body size.

Read from `PATRONAGE_LIMIT_*` (`PlatformSettings.limits`). Rates are `limits` strings
("120/minute", "100 per 10 minutes"). Every process counts on its own (in memory, see
shared/http/rate_limits.py), so a rate is per replica and per worker: with R replicas of W
workers behind a balancer a caller gets up to R x W times the rate; set it to the total
you want divided by R x W.
"""

from __future__ import annotations

from limits import parse
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class RequestLimitSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_LIMIT_", extra="ignore")

    enabled: bool = Field(
        default=True, description="Rate limits and lockouts (the body size is always enforced); "
        "`patronage bench` turns them off, as its load comes from a handful of keys.")
    money_per_credential: str = Field(
        default="120/minute", description="Money-moving POSTs (those taking Idempotency-Key) "
        "by one terminal key, member token or ops token.")
    money_per_member: str = Field(
        default="20/minute", description="Money-moving POSTs about one member, by anyone.")
    enrolment_per_credential: str = Field(
        default="60/minute", description="Enrolments by one terminal key or token.")
    auth_failures_per_address: str = Field(
        default="100/10minutes", description="401s one client address may collect before it "
        "is locked out.")
    auth_failures_per_credential: str = Field(
        default="10/10minutes", description="401s one presented key or token may collect before "
        "it is locked out (an expired or forged one).")
    lockout_seconds: int = Field(default=600, ge=1, description="How long a lockout lasts.")
    max_body_bytes: int = Field(
        default=256 * 1024, ge=1024, description="Largest request body; a larger one is cut "
        "while it streams in (413 `body_too_large`), whatever Content-Length said.")

    @field_validator("money_per_credential", "money_per_member", "enrolment_per_credential",
                     "auth_failures_per_address", "auth_failures_per_credential")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        parse(value)  # ValueError on anything that is not a rate: refused at start-up
        return value
