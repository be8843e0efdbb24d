"""Payment intents in the database: created with the recharge limits checked against the
balance now (so the member is not charged for a recharge that would be refused), read with
their status as of now, settled by the provider's callback (store/payment_callbacks.py)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.freezes import WalletIsFrozen
from services.wallet.rules.payment_intents import Intent, status_at
from services.wallet.rules.recharges import StoredValueLimits, check_caps, check_recharge_request
from services.wallet.store import tables
from services.wallet.store.freezes import frozen
from services.wallet.store.registered_members import card_kind
from services.wallet.store.wallets import stored_value
from shared.db.unit_of_work import UnitOfWork
from shared.money import Money

intents = tables.payment_intents


async def create_intent(uow: UnitOfWork, *, member_id: str, amount: int, currency: str,
                        provider: str, ttl: timedelta, limits: StoredValueLimits) -> dict:
    money = Money(amount, currency)
    check_recharge_request(money, limits)
    if await frozen(uow.connection, member_id) is not None:
        raise WalletIsFrozen(member_id)
    # the caps of the member's kind, as the recharge function will apply them
    check_caps(money, await card_kind(uow.connection, member_id),
               await stored_value(uow.connection, member_id, currency), limits)
    now = uow.clock.now()
    row = {"intent_id": uuid.uuid4(), "member_id": member_id, "amount": amount,
           "currency": currency, "provider": provider, "status": "pending",
           "created_at": now, "expires_at": now + ttl}
    await uow.connection.execute(insert(intents).values(**row))
    return {**row, "recharge_id": None, "settled_at": None}


def _intent_id(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def find_intent(connection: AsyncConnection, intent_id: str, *, lock: bool = False):
    """The row, or None (also for an id that is not a UUID: a provider may send anything)."""
    key = _intent_id(intent_id)
    if key is None:
        return None
    statement = select(intents).where(intents.c.intent_id == key)
    return (await connection.execute(statement.with_for_update() if lock else statement)).first()


def as_intent(row) -> Intent | None:
    if row is None:
        return None
    return Intent(str(row.intent_id), row.member_id, row.amount, row.currency, row.provider,
                  row.status, row.expires_at)


def intent_view(row, now: datetime) -> dict:
    return {**row._mapping, "status": status_at(row.status, row.expires_at, now)}


async def mark_intent(connection: AsyncConnection, intent_id: str, status: str, now: datetime,
                      *, recharge_id: uuid.UUID | None = None, payment_id: str | None = None
                      ) -> None:
    values: dict = {"status": status, "settled_at": now}
    if recharge_id is not None:
        values |= {"recharge_id": recharge_id, "payment_id": payment_id}
    await connection.execute(
        update(intents).where(intents.c.intent_id == uuid.UUID(intent_id)).values(**values))


# Served by the partial index ix_payment_intents_pending_expiry (pending intents by time);
# SKIP LOCKED: an intent a callback is settling right now is left to that callback.
EXPIRE_DUE = text("""
    UPDATE payment_intents SET status = 'expired', settled_at = :now
    WHERE intent_id IN (
      SELECT intent_id FROM payment_intents WHERE status = 'pending' AND expires_at <= :now
      ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED)
""")


async def expire_due_intents(connection: AsyncConnection, now: datetime, limit: int = 1000) -> int:
    return (await connection.execute(EXPIRE_DUE, {"now": now, "limit": limit})).rowcount
