"""The wallet, as the runtime sees it."""

from __future__ import annotations

from pathlib import Path

from services.wallet.api import create_app
from services.wallet.handlers import HANDLERS
from services.wallet.jobs import background_jobs
from services.wallet.settings import WalletSettings, get_wallet_settings
from services.wallet.store import tables, terminal_keys
from shared.service import ServiceSpec

SPEC: ServiceSpec[WalletSettings] = ServiceSpec(
    name="wallet",
    metadata=tables.metadata,
    outbox=tables.outbox,
    inbox=tables.inbox,
    migrations=Path(__file__).parent / "migrations",
    load_settings=get_wallet_settings,
    create_app=create_app,
    handlers=HANDLERS,
    subscribes_to=("rewards", "tiering"),
    statement_pool_size=16,  # the recharge hot path (services/wallet/store/recharges.py)
    background=background_jobs,
    revoked_keys=terminal_keys.terminal_keys,  # the registry itself
)
