"""Recording a recharge in ONE database round trip: the stored function `wallet_recharge`
(migration 0002) takes the idempotency lock, replays or claims the key, locks or creates the
wallet, checks the stored-value limit, inserts the recharge, its principal lot, the journal
entry and its lines, the outbox row and the idempotency record, and returns the receipt.

Python does everything that needs no database state first: the checks, the ids, and the
`RechargeCompleted` event, built and validated here with placeholders for the two values
that depend on the wallet (`is_first_recharge`, `lifetime_recharged`), which the function
fills in the same JSON spelling. The outbox row is otherwise exactly `outbox_row(event)`.
The call runs in autocommit on a raw asyncpg connection of the service's statement pool
(prepared once per connection): the function's statement is the transaction, so there is no
BEGIN/COMMIT exchange, and no ORM work on the way. Its outbox insert sends no NOTIFY (that
would serialise the commits, migration 0003); the route wakes the relay after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg
import orjson
from sqlalchemy import select

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
from shared.db.statement_pool import StatementPool
from shared.events.wallet import RechargeCompleted
from shared.http import idempotency
from shared.money import Money
from shared.topics import Topics

# Arguments in the function's order: p_scope, p_key, p_lock_key, p_hash, p_recharge_id,
# p_lot_id, p_entry_id, p_member_id, p_currency, p_amount, p_payment_method,
# p_payment_reference, p_store_id, p_terminal_id, p_channel, p_pos_reference, p_now,
# p_now_text, p_max_balance, p_event_id, p_topic, p_ce_type, p_headers, p_payload.
CALL = """SELECT outcome, status_code, body FROM wallet_recharge(
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    $21, $22, $23, $24)"""


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
    statements: StatementPool, *, scope: str, key: str, fingerprint: bytes,
    request: RechargeRequest, limits: StoredValueLimits, clock: Clock, topics: Topics,
) -> RechargeOutcome:
    check_recharge_request(Money(request.amount, request.currency), limits)
    recharge_id = uuid.uuid4()
    event = completed_event(request, recharge_id, clock)
    row = outbox_row(event, topics)
    now = event.occurred_at
    try:
        result = await statements.fetchrow(
            CALL, scope, key, idempotency.lock_id(scope, key), fingerprint, recharge_id,
            uuid.uuid4(), uuid.uuid4(), request.member_id, request.currency, request.amount,
            request.payment_method, request.payment_reference, request.store_id,
            request.terminal_id, request.channel, request.pos_reference, now,
            now.isoformat().replace("+00:00", "Z"), limits.max_balance, event.event_id,
            row["topic"], row["ce_type"], orjson.dumps(row["headers"]).decode(),
            row["payload"].decode())
    except asyncpg.UniqueViolationError as reused:
        raise PosReferenceReused(request.pos_reference) from reused
    except asyncpg.RaiseError as raised:
        if BALANCE_LIMIT_EXCEEDED not in str(raised):
            raise
        raise WalletRuleViolation(BALANCE_LIMIT_EXCEEDED,
                                  balance_limit_detail(limits, request.currency)) from raised
    assert result is not None, "wallet_recharge returns exactly one row"
    return RechargeOutcome(result["outcome"], result["status_code"], result["body"])


async def find_recharge(connection, recharge_id: uuid.UUID):
    statement = select(tables.recharges).where(tables.recharges.c.recharge_id == recharge_id)
    return (await connection.execute(statement)).first()

