"""What `patronage wallet ...` runs: the ledger check, bonus expiry and the liability
report, against the configured database, outside any HTTP server."""

from __future__ import annotations

from dataclasses import asdict

from services.wallet import tables
from services.wallet.expiry import expire_bonus_lots
from services.wallet.verify import liability_report, verify_ledger
from shared.clock import Clock, SystemClock
from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.settings import PlatformSettings
from shared.topics import Topics


async def run_verify(platform: PlatformSettings) -> dict:
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        async with engine.connect() as db:
            return await verify_ledger(db)
    finally:
        await engine.dispose()


async def run_expiry(platform: PlatformSettings, clock: Clock | None = None) -> dict:
    """Expire every due bonus lot, in batches of wallets, each batch its own transaction."""
    clock = clock or SystemClock()
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    uow = UnitOfWorkFactory(engine, tables.outbox, Topics(platform.topic_prefix), clock)
    totals = {"wallets": 0, "lots": 0, "amount": 0}
    try:
        while True:
            async with uow() as work:
                run = await expire_bonus_lots(work, clock.now())
            totals = {k: totals[k] + v for k, v in asdict(run).items()}
            if run.wallets == 0:
                return totals
    finally:
        await engine.dispose()


async def run_liability(platform: PlatformSettings, clock: Clock | None = None) -> list[dict]:
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        async with engine.connect() as db:
            return await liability_report(db, (clock or SystemClock()).now())
    finally:
        await engine.dispose()
