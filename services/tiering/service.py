"""Tiering, as the runtime sees it: API, wallet-event handlers and the jobs on a clock."""

from __future__ import annotations

from pathlib import Path

from services.tiering.api import create_app
from services.tiering.handlers import HANDLERS
from services.tiering.jobs import background_jobs
from services.tiering.settings import DEV_CONTACT_HASH_KEY, TieringSettings, get_tiering_settings
from services.tiering.store import tables
from shared.service import ServiceSpec

SPEC: ServiceSpec[TieringSettings] = ServiceSpec(
    name="tiering",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_tiering_settings,
    create_app=create_app,
    handlers=HANDLERS,
    # rewards, referral, notifier: their parts of members' data exports
    subscribes_to=("wallet", "rewards", "referral", "notifier"),
    background=background_jobs,
    revoked_keys=tables.revoked_terminal_keys,
    secrets=lambda settings: {"PATRONAGE_TIERING_CONTACT_HASH_KEY": settings.contact_hash_key},
    dev_secret_values=frozenset({DEV_CONTACT_HASH_KEY}),
)
