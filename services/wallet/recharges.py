"""Recording a recharge in ONE database round trip: the stored function `wallet_recharge`
(migration 0002) takes the idempotency lock, replays or claims the key, locks or creates the
wallet, checks the stored-value limit, inserts the recharge, its principal lot, the journal
entry and its lines, the outbox row and the idempotency record, and returns the receipt.

Python does everything that needs no database state first: the checks, the ids, and the
`RechargeCompleted` event, built and validated here with placeholders for the two values
that depend on the wallet (`is_first_recharge`, `lifetime_recharged`), which the function
fills in the same JSON spelling. The outbox row is otherwise exactly `outbox_row(event)`.
The call runs in autocommit: the function's statement is the transaction, so there is no
BEGIN/COMMIT exchange either.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import orjson
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.wallet import tables
from services.wallet.domain import (
    BALANCE_LIMIT_EXCEEDED,
    StoredValueLimits,
    WalletRuleViolation,
    balance_limit_detail,
    check_recharge_request,
)
from services.wallet.schemas import RechargeRequest
from shared.clock import Clock
from shared.db.outbox import outbox_row
from shared.events.wallet import RechargeCompleted
from shared.http import idempotency
from shared.money import Money
from shared.topics import Topics

CALL = text("""
    SELECT outcome, status_code, body FROM wallet_recharge(
      :scope, :key, :lock_key, :hash, :recharge_id, :lot_id, :entry_id, :member_id, :currency,
      :amount, :payment_method, :payment_reference, :store_id, :terminal_id, :channel,
      :pos_reference, :now, :now_text, :max_balance, :event_id, :topic, :ce_type,
      CAST(:headers AS jsonb), :payload)
""")
UNIQUE_VIOLATION = "23505"


class PosReferenceReused(Exception):
    pass


@dataclass(frozen=True)
class RechargeOutcome:
    """What the function answered: `created`, `replayed`, `in_progress` or `key_reused`."""

    outcome: str
    status_code: int
    body: bytes | None


def completed_event(request: RechargeRequest, recharge_id: uuid.UUID, clock: Clock) -> RechargeCompleted:
    """The event as it will be published, but for the two wallet-state placeholders."""
    return RechargeCompleted(
        occurred_at=clock.now(), member_id=request.member_id, recharge_id=str(recharge_id),
        amount=request.amount, currency=request.currency, payment_method=request.payment_method,
        payment_reference=request.payment_reference, store_id=request.store_id,
        terminal_id=request.terminal_id, channel=request.channel,
        is_first_recharge=False, lifetime_recharged=request.amount,
    )


async def record_recharge(
    engine: AsyncEngine, *, scope: str, key: str, fingerprint: bytes, request: RechargeRequest,
    limits: StoredValueLimits, clock: Clock, topics: Topics,
) -> RechargeOutcome:
    check_recharge_request(Money(request.amount, request.currency), limits)
    recharge_id = uuid.uuid4()
    event = completed_event(request, recharge_id, clock)
    row = outbox_row(event, topics)
    now = event.occurred_at
    params = {
        "scope": scope, "key": key, "lock_key": idempotency.lock_id(scope, key), "hash": fingerprint,
        "recharge_id": recharge_id, "lot_id": uuid.uuid4(), "entry_id": uuid.uuid4(),
        **request.model_dump(include={"member_id", "currency", "amount", "payment_method",
                                      "payment_reference", "store_id", "terminal_id", "channel",
                                      "pos_reference"}),
        "now": now, "now_text": now.isoformat().replace("+00:00", "Z"),
        "max_balance": limits.max_balance, "event_id": event.event_id, "topic": row["topic"],
        "ce_type": row["ce_type"], "headers": orjson.dumps(row["headers"]).decode(),
        "payload": row["payload"].decode(),
    }
    try:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            result = (await autocommit.execute(CALL, params)).one()
    except DBAPIError as error:
        raise _refusal(error, request, limits) from error
    return RechargeOutcome(result.outcome, result.status_code, result.body)


def _refusal(error: DBAPIError, request: RechargeRequest, limits: StoredValueLimits) -> Exception:
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate == UNIQUE_VIOLATION:
        return PosReferenceReused(request.pos_reference)
    if sqlstate == "P0001" and BALANCE_LIMIT_EXCEEDED in str(error.orig):
        return WalletRuleViolation(BALANCE_LIMIT_EXCEEDED,
                                  balance_limit_detail(limits, request.currency))
    return error


async def find_recharge(connection, recharge_id: uuid.UUID):
    statement = select(tables.recharges).where(tables.recharges.c.recharge_id == recharge_id)
    return (await connection.execute(statement)).first()

