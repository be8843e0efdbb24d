"""Rewards, as the runtime sees it."""

from __future__ import annotations

from pathlib import Path

from services.rewards.api import create_app
from services.rewards.handlers import HANDLERS
from services.rewards.jobs import background_jobs
from services.rewards.settings import RewardsSettings, get_rewards_settings
from services.rewards.store import tables
from shared.service import ServiceSpec

SPEC: ServiceSpec[RewardsSettings] = ServiceSpec(
    name="rewards",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_rewards_settings,
    create_app=create_app,
    handlers=HANDLERS,
    subscribes_to=("wallet", "tiering", "referral", "notifier"),  # notifier: KPIs' reach
    background=background_jobs,
    revoked_keys=tables.revoked_terminal_keys,
)
