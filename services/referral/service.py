"""Referral, as the runtime sees it: API, the tiering and wallet event handlers and the
expiry sweep."""

from __future__ import annotations

from pathlib import Path

from services.referral.api import create_app
from services.referral.handlers import HANDLERS
from services.referral.jobs import background_jobs
from services.referral.settings import get_referral_settings
from services.referral.store import tables
from shared.service import ServiceSpec

SPEC = ServiceSpec(
    name="referral",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_referral_settings,
    create_app=create_app,
    handlers=HANDLERS,
    subscribes_to=("tiering", "wallet"),
    background=background_jobs,
    revoked_keys=tables.revoked_terminal_keys,
)
