"""Marks the pending payment intents whose time ran out as `expired`, a batch at a time.

An intent already reads as expired the moment its time is up (`status_at`), and a late
callback marks it too; this sweep makes the stored status true for reports and for ops
reading the table. The update is the same whoever runs it, so every replica may run it
(no leader lock)."""

from __future__ import annotations

from services.wallet.settings import WalletSettings
from services.wallet.store.payment_intents import expire_due_intents
from shared.service import ServiceContext


async def expire_payment_intents(context: ServiceContext[WalletSettings]) -> int:
    async with context.uow() as uow:
        return await expire_due_intents(uow.connection, uow.clock.now())
