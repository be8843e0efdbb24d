"""The bonus expiry sweep: every due bonus lot leaves its wallet as breakage with its
`BonusExpired`, a batch of wallets per transaction (`store/expiry.py`), until none is due.
It runs on a clock in every wallet (`bonus_expiry_sweep`, every
`PATRONAGE_WALLET_BONUS_EXPIRY_SWEEP_SECONDS`), leader-locked so one replica works a round;
`patronage wallet expire` and `POST /v1/ops/expire-bonus-lots` run it on demand. Each lot
expires once whoever runs it: see `store/expiry.py`."""

from __future__ import annotations

from dataclasses import asdict

from services.wallet.settings import WalletSettings
from services.wallet.store import tables
from services.wallet.store.expiry import expire_bonus_lots
from shared.clock import Clock, SystemClock
from shared.db.engine import create_service_engine
from shared.db.unit_of_work import UnitOfWorkFactory
from shared.jobs import leads, periodic
from shared.service import BackgroundJob, ServiceContext
from shared.settings import PlatformSettings
from shared.topics import Topics

LEADER_JOB = "wallet_bonus_expiry"


async def expire_all_due(uow: UnitOfWorkFactory, clock: Clock, *, leader_only: bool = False) -> dict:
    """Expire every due bonus lot, in batches of wallets, each batch its own transaction;
    the totals (wallets, lots, amount). `leader_only`: a batch another replica is working
    ends this round (the scheduled sweep; the lock only saves work)."""
    totals = {"wallets": 0, "lots": 0, "amount": 0}
    while True:
        async with uow() as work:
            if leader_only and not await leads(work.connection, LEADER_JOB):
                return totals
            run = await expire_bonus_lots(work, clock.now())
        totals = {k: totals[k] + v for k, v in asdict(run).items()}
        if run.wallets == 0:
            return totals


def bonus_expiry_sweep(context: ServiceContext[WalletSettings]) -> BackgroundJob:
    every = context.settings.bonus_expiry_sweep_seconds

    async def run_once() -> dict | None:
        totals = await expire_all_due(context.uow, context.clock, leader_only=True)
        return totals if totals["lots"] else None  # logged only when something expired

    # the first round one interval after start: a starting wallet serves requests first
    return periodic("bonus_expiry", every, run_once, first_after_seconds=every)


async def run_expiry(platform: PlatformSettings, clock: Clock | None = None) -> dict:
    """`expire_all_due` on the configured database, outside any HTTP server (the CLI)."""
    clock = clock or SystemClock()
    engine = create_service_engine(platform.database_url, "wallet", pool_size=1)
    try:
        uow = UnitOfWorkFactory(engine, tables.outbox, Topics(platform.topic_prefix), clock)
        return await expire_all_due(uow, clock)
    finally:
        await engine.dispose()
