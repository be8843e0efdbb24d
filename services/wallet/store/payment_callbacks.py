"""The provider callbacks the wallet verified, once per (provider, payment id): the first
one's outcome is the answer to every replay, so a callback sent three times records one
recharge. Refused callbacks stay here for ops (the payer was charged and must be refunded).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.payment_intents import ProviderReport, Settlement
from services.wallet.store import tables

callbacks = tables.payment_callbacks


async def find_callback(connection: AsyncConnection, provider: str, payment_id: str):
    return (await connection.execute(select(callbacks).where(
        callbacks.c.provider == provider, callbacks.c.payment_id == payment_id))).first()


async def record_callback(connection: AsyncConnection, report: ProviderReport,
                          settlement: Settlement, fingerprint: bytes, now: datetime,
                          recharge_id: uuid.UUID | None = None) -> None:
    """Keeps the first outcome: a concurrent replay of the same callback changes nothing."""
    await connection.execute(insert(callbacks).values(
        provider=report.provider, payment_id=report.payment_id, intent_id=report.intent_id,
        amount=report.amount, currency=report.currency, reported_status=report.status,
        outcome=settlement.outcome, status_code=settlement.status_code, code=settlement.code,
        detail=settlement.detail, recharge_id=recharge_id, request_hash=fingerprint,
        received_at=now,
    ).on_conflict_do_nothing(index_elements=["provider", "payment_id"]))
