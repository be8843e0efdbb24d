"""Rewards, as the runtime sees it."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from services.rewards import tables
from services.rewards.api import create_app
from services.rewards.handlers import EVENT_HANDLERS
from shared.service import ServiceSpec


class RewardsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PATRONAGE_REWARDS_", extra="ignore")


SPEC = ServiceSpec(
    name="rewards",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=RewardsSettings,
    create_app=create_app,
    handlers=lambda context: EVENT_HANDLERS,
    subscribes_to=("wallet",),
)
