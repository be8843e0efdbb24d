"""The bonus expiry sweep: every due bonus lot leaves its wallet as breakage, a batch of
wallets per transaction (`store/expiry.py`), until none is due. `patronage wallet expire`
runs it; nothing runs it on a clock yet (see `background_jobs`)."""

from __future__ import annotations

from dataclasses import asdict

from services.wallet.store import tables
from services.wallet.store.expiry import expire_bonus_lots
from shared.clock import Clock, SystemClock
from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.settings import PlatformSettings
from shared.topics import Topics


async def expire_all_due(uow: UnitOfWorkFactory, clock: Clock) -> dict:
    """Expire every due bonus lot, in batches of wallets, each batch its own transaction;
    the totals (wallets, lots, amount)."""
    totals = {"wallets": 0, "lots": 0, "amount": 0}
    while True:
        async with uow() as work:
            run = await expire_bonus_lots(work, clock.now())
        totals = {k: totals[k] + v for k, v in asdict(run).items()}
        if run.wallets == 0:
            return totals


async def run_expiry(platform: PlatformSettings, clock: Clock | None = None) -> dict:
    """`expire_all_due` on the configured database, outside any HTTP server (the CLI)."""
    clock = clock or SystemClock()
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        uow = UnitOfWorkFactory(engine, tables.outbox, Topics(platform.topic_prefix), clock)
        return await expire_all_due(uow, clock)
    finally:
        await engine.dispose()
