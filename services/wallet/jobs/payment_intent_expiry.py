"""Marks the pending payment intents whose time ran out as `expired`, a batch at a time.

An intent already reads as expired the moment its time is up (`status_at`), and a late
callback marks it too; this sweep makes the stored status true for reports and for ops
reading the table. The update is the same whoever runs it, so every replica may run it
(no leader lock). The first sweep comes one interval after the start, not at it: nothing
can be overdue sooner than that matters, and a starting wallet's first requests (the
recharge hot path among them) are not interleaved with it."""

from __future__ import annotations

from services.wallet.settings import WalletSettings
from services.wallet.store.payment_intents import expire_due_intents
from shared.jobs import periodic
from shared.service import BackgroundJob, ServiceContext


async def expire_payment_intents(context: ServiceContext[WalletSettings]) -> int:
    async with context.uow() as uow:
        return await expire_due_intents(uow.connection, uow.clock.now())


def payment_intent_sweep(context: ServiceContext[WalletSettings]) -> BackgroundJob:
    every = context.settings.payment_intent_sweep_seconds
    # the first round one interval after start, not at it (see the module's docstring)
    return periodic("payment_intent_expiry", every, lambda: expire_payment_intents(context),
                    first_after_seconds=every)
