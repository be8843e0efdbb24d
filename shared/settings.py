"""Settings: one validated class per service, read from the environment.

Nothing else in the code base reads `os.environ`. Platform-wide values (database, Kafka,
topic prefix, environment) live in `PlatformSettings` under the `PATRONAGE_` prefix; each
service adds its own class with its own prefix (e.g. `PATRONAGE_WALLET_`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.limit_settings import RequestLimitSettings
from shared.startup_secrets import refuse_unsafe_secrets

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"


class PlatformSettings(BaseSettings):
    # Errors never repeat the input: it holds the JWT secret.
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_", extra="ignore",
                                      hide_input_in_errors=True)

    # Fails closed: without an explicit `dev` or `test`, weak secrets are refused.
    environment: Literal["dev", "test", "prod"] = "prod"
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/patronage",
        description="PostgreSQL URL; each service uses its own schema in it.",
    )
    kafka_bootstrap: str = "127.0.0.1:9092"
    topic_prefix: str = Field(default="", description="Prepended to every topic name.")
    jwt_secret: str = Field(default=DEV_JWT_SECRET, repr=False)
    key_revocation_refresh_seconds: float = Field(
        default=2.0, gt=0, le=60,
        description="How often each service re-reads the terminal keys it must refuse.")
    log_level: str = "INFO"
    web_concurrency: int = Field(
        default=1, ge=1, description="HTTP worker processes per `patronage serve` (one a core).")
    log_json: bool = True
    # The standard OpenTelemetry variable, not PATRONAGE_-prefixed: set, spans are exported
    # there over OTLP (extra `otlp`); unset, trace context is only passed on.
    otel_exporter_otlp_endpoint: str | None = Field(
        default=None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    figures_every_seconds: float = Field(
        default=15.0, gt=0, description="How often /metrics' messaging gauges are sampled.")
    limits: RequestLimitSettings = Field(default_factory=RequestLimitSettings)

    @model_validator(mode="after")
    def _refuse_weak_secrets_outside_dev(self) -> PlatformSettings:
        refuse_unsafe_secrets(self.environment, {"PATRONAGE_JWT_SECRET": self.jwt_secret},
                              frozenset({DEV_JWT_SECRET}))
        return self


@lru_cache
def get_platform_settings() -> PlatformSettings:
    return PlatformSettings()
