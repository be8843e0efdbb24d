"""Console settings (`PATRONAGE_CONSOLE_*`): where the other services' APIs answer, how long
a session and the ops tokens the console mints live, the merchant's currency."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_CONSOLE_", extra="ignore")

    # The console talks to the services only through their HTTP APIs.
    wallet_url: str = "http://localhost:8101"
    tiering_url: str = "http://localhost:8102"
    rewards_url: str = "http://localhost:8103"
    referral_url: str = "http://localhost:8104"
    notifier_url: str = "http://localhost:8105"
    session_minutes: int = Field(default=480, ge=5, le=24 * 60,
                                 description="A session ends this long after login.")
    token_seconds: int = Field(default=300, ge=30, le=3600,
                               description="Life of the ops JWT minted for one page's API calls.")
    api_timeout_seconds: float = Field(default=10.0, gt=0)
    login_failures_allowed: int = Field(default=5, ge=1, description="Failed logins per user "
                                        "name or per address before a lockout.")
    login_lockout_seconds: int = Field(default=900, ge=1)
    session_sweep_every_seconds: float = Field(default=3600, gt=0, description="How often "
                                               "sessions long past their end are deleted.")
    currency: str = Field(default="CNY", description="The merchant's currency, for amounts.")
    timezone: str = Field(default="Asia/Shanghai", description="The merchant's zone: the "
                          "dashboard's days and a campaign's dates.")

    def service_urls(self) -> dict[str, str]:
        return {"wallet": self.wallet_url, "tiering": self.tiering_url,
                "rewards": self.rewards_url, "referral": self.referral_url,
                "notifier": self.notifier_url}


@lru_cache
def get_console_settings() -> ConsoleSettings:
    return ConsoleSettings()
