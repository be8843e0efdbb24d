"""Notifier settings (`PATRONAGE_NOTIFIER_*`): channels and their providers, the member
defaults, quiet hours, caps, retries and the secrets of unsubscribe links and receipts.

A channel is on when it is configured: email with `smtp_host` (without one, email is
written to the log in the dev environment or with `email_to_log`), SMS / push / WeChat
with their provider URL. The in-app inbox is always on.
"""

from __future__ import annotations

from datetime import time
from functools import lru_cache

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.notifier.rules.channels import CHANNELS
from services.notifier.rules.templates import LOCALES
from services.notifier.rules.timing import Caps, QuietHours
from shared.time_zones import TimeZoneName

DEV_SECRET = "patronage-dev-notifier-secret"


class NotifierSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_NOTIFIER_", extra="ignore",
                                      hide_input_in_errors=True)

    default_locale: str = Field(default="zh-CN", description="For members with no locale.")
    default_time_zone: TimeZoneName = Field(default="Asia/Shanghai", description="The merchant's: "
                                   "its days and months; also for members who gave none.")
    currency: str = Field(default="CNY", description="The program currency statements count.")
    fallback_order: tuple[str, ...] = Field(
        default=("email", "sms", "push", "wechat", "inbox"),
        description="Channels tried after the member's preferred one, in order.")
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    marketing_per_day: int = Field(default=1, ge=0)
    marketing_per_week: int = Field(default=3, ge=0)
    max_attempts: int = Field(default=5, ge=1, description="Per channel, before falling back.")
    retry_base_seconds: float = Field(default=30.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    send_timeout_seconds: float = Field(default=10.0, gt=0)
    delivery_interval_seconds: float = Field(default=1.0, gt=0)
    delivery_batch_size: int = Field(default=100, gt=0)
    schedule_interval_seconds: float = Field(default=300.0, gt=0)
    template_check_seconds: float = Field(
        default=5.0, gt=0, description="How often a replica checks for template versions "
        "another replica published (one indexed max; a publish reloads its own replica at once).")
    delivery_log_retention_days: int | None = Field(
        default=365, ge=31, description="Delete delivery-log rows (notifications) older than "
        "this many days; unset: keep them. At least 31 days: a row is also what stops a "
        "redelivered event (kept in the inbox 30 days) from sending its message twice.")
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    statement_day: int = Field(default=15, ge=1, le=31, description="Day of the month the "
                               "previous month's statement goes out.")
    inactive_days: int = Field(default=60, ge=1, description="Days without a visit or a "
                               "recharge before a we-miss-you message.")

    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_start_tls: bool = False
    email_from: str = "Patronage <no-reply@patronage.local>"
    email_to_log: bool = Field(default=False, description="Without smtp_host: write email "
                               "to the log (always so in the dev environment).")

    sms_provider_url: str | None = None
    push_provider_url: str | None = None
    wechat_provider_url: str | None = None
    provider_key: str = Field(default="patronage", description="Our account at the providers.")
    provider_secret: SecretStr = SecretStr(DEV_SECRET)

    link_secret: SecretStr = Field(default=SecretStr(DEV_SECRET),
                                   description="Signs the unsubscribe links.")
    public_base_url: str = Field(default="http://localhost:8105",
                                 description="Where members reach this service's links.")

    # Webhooks (docs/notifier.md, "Webhooks"): the retry schedule is per attempt, jitter
    # added on top (never shorter), parked once it is spent or `webhooks_retry_for_seconds`
    # has passed since the first attempt.
    webhooks_retry_schedule_seconds: tuple[float, ...] = Field(
        default=(5, 300, 1800, 7200, 18000, 36000), min_length=1,
        description="Waits before each retry of a failed webhook delivery.")
    webhooks_retry_for_seconds: float = Field(default=86400.0, gt=0, description="A delivery "
                                              "still failing this long after its first attempt is parked.")
    webhooks_jitter: float = Field(default=0.1, ge=0, le=1, description="Up to this fraction "
                                   "of a wait is added at random, so retries do not arrive in step.")
    webhooks_disable_after_seconds: float = Field(default=86400.0, gt=0, description="An "
                                                  "endpoint failing without a success this long is disabled.")
    webhooks_timeout_seconds: float = Field(default=5.0, gt=0, description="One webhook request.")
    webhooks_delivery_interval_seconds: float = Field(default=1.0, gt=0)
    webhooks_batch_size: int = Field(default=100, gt=0)
    webhooks_allow_private_targets: bool = Field(default=False, description="Let webhook URLs "
                                                 "be http and reach private, loopback or "
                                                 "link-local addresses (dev and tests only; "
                                                 "always so in the dev environment).")

    @field_validator("webhooks_retry_schedule_seconds")
    @classmethod
    def _positive_waits(cls, waits: tuple[float, ...]) -> tuple[float, ...]:
        if any(wait <= 0 for wait in waits):
            raise ValueError("every wait must be more than 0 seconds")
        return waits


    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, locale: str) -> str:
        if locale not in LOCALES:
            raise ValueError(f"no templates for {locale}; have {', '.join(LOCALES)}")
        return locale

    @field_validator("fallback_order")
    @classmethod
    def _known_channels(cls, order: tuple[str, ...]) -> tuple[str, ...]:
        unknown = set(order) - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels {sorted(unknown)}")
        return order

    def quiet_hours(self) -> QuietHours:
        return QuietHours(self.quiet_start, self.quiet_end)

    def caps(self) -> Caps:
        return Caps(self.marketing_per_day, self.marketing_per_week)

    def webhook_private_targets_allowed(self, environment: str) -> bool:
        return self.webhooks_allow_private_targets or environment == "dev"

    def email_on(self, environment: str) -> bool:
        """SMTP, or email written to the log (dev, or `email_to_log`)."""
        return bool(self.smtp_host) or self.email_to_log or environment == "dev"

    def channels_on(self, environment: str) -> set[str]:
        """The channels a message can go out on here: the inbox always, the others when set."""
        return {"inbox", *self.provider_urls(), *(("email",) if self.email_on(environment) else ())}

    def provider_urls(self) -> dict[str, str]:
        urls = {"sms": self.sms_provider_url, "push": self.push_provider_url,
                "wechat": self.wechat_provider_url}
        return {channel: url for channel, url in urls.items() if url}


@lru_cache
def get_notifier_settings() -> NotifierSettings:
    return NotifierSettings()
