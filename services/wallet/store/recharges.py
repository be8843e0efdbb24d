"""Recording a recharge in ONE database round trip: the stored function `wallet_recharge`
(store/sql/wallet_recharge.sql) takes the idempotency lock, replays or claims the key, locks
or creates the wallet, checks the stored-value limit, inserts the recharge, its principal
lot, the journal entry and its lines, the outbox row and the idempotency record, and
returns the receipt.

Python does everything that needs no database state first: the request checks, the ids,
the journal lines (`recharge_lines`, as jsonb) and the `RechargeCompleted` event, built and validated
by its catalog model; it is sent as jsonb without the two fields that depend on the wallet
(`is_first_recharge`, `lifetime_recharged`), which the function adds.
The call runs in autocommit on a raw asyncpg connection of the service's statement pool
(prepared once per connection): the function's statement is the transaction, so there is no
BEGIN/COMMIT exchange, and no ORM work on the way. Its outbox insert sends no NOTIFY (that
would serialise the commits, migration 0003); the route wakes the relay after the commit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
import orjson
from sqlalchemy import select

from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.payment_references import masked_reference, reference_token
from services.wallet.rules.recharges import (
    BALANCE_LIMIT_EXCEEDED,
    BalanceLimitExceeded,
    PosReferenceReused,
    StoredValueLimits,
    check_recharge_request,
)
from services.wallet.store import tables
from shared.clock import Clock
from shared.db.statement_pool import StatementPool
from shared.events.cloudevents import header_attributes
from shared.events.wallet import RechargeCompleted
from shared.http import idempotency
from shared.money import Money
from shared.topics import Topics

if TYPE_CHECKING:  # the request's shape only: store/ never imports the HTTP layer
    from services.wallet.api.schemas.recharges import RechargeRequest

# Arguments in the function's order: p_scope, p_key, p_lock_key, p_hash, p_recharge_id,
# p_lot_id, p_entry_id, p_member_id, p_currency, p_amount, p_payment_method,
# p_payment_reference, p_store_id, p_terminal_id, p_channel, p_pos_reference, p_now,
# p_now_text, p_max_balance, p_lines, p_event_id, p_topic, p_ce_type, p_headers, p_payload.
CALL = """SELECT outcome, status_code, body FROM wallet_recharge(
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    $21, $22, $23, $24, $25)"""
# What only the wallet row knows when the function runs; the function adds them.
WALLET_STATE_FIELDS = frozenset({"is_first_recharge", "lifetime_recharged"})


@dataclass(frozen=True)
class RechargeOutcome:
    """What the function answered: `created`, `replayed`, `in_progress` or `key_reused`."""

    outcome: str
    status_code: int
    body: bytes | None


def completed_event(request: RechargeRequest, recharge_id: uuid.UUID, clock: Clock,
                    reference_key: str) -> RechargeCompleted:
    """The event as it will be published, but for the two wallet-state fields, which hold
    placeholders that pass validation and are left out of the payload sent. The payment
    reference leaves the wallet as a token and a masked form only (rules/payment_references.py)."""
    return RechargeCompleted(
        occurred_at=clock.now(), member_id=request.member_id, recharge_id=str(recharge_id),
        amount=request.amount, currency=request.currency, payment_method=request.payment_method,
        payment_reference=reference_token(reference_key, request.payment_reference),
        payment_reference_masked=masked_reference(request.payment_reference),
        store_id=request.store_id,
        terminal_id=request.terminal_id, channel=request.channel,
        is_first_recharge=False, lifetime_recharged=request.amount,
    )


async def record_recharge(
    statements: StatementPool, *, scope: str, key: str, fingerprint: bytes,
    request: RechargeRequest, limits: StoredValueLimits, clock: Clock, topics: Topics,
    reference_key: str,
) -> RechargeOutcome:
    check_recharge_request(Money(request.amount, request.currency), limits)
    recharge_id = uuid.uuid4()
    event = completed_event(request, recharge_id, clock, reference_key)
    lines = recharge_lines(request.member_id, request.amount)
    now = event.occurred_at
    try:
        result = await statements.fetchrow(
            CALL, scope, key, idempotency.lock_id(scope, key), fingerprint, recharge_id,
            uuid.uuid4(), uuid.uuid4(), request.member_id, request.currency, request.amount,
            request.payment_method, request.payment_reference, request.store_id,
            request.terminal_id, request.channel, request.pos_reference, now,
            now.isoformat().replace("+00:00", "Z"), limits.max_balance,
            orjson.dumps(lines).decode(), event.event_id,
            topics.events(event.producer_name), event.ce_type(),
            orjson.dumps(header_attributes(event)).decode(),
            event.model_dump_json(exclude=set(WALLET_STATE_FIELDS)))
    except asyncpg.UniqueViolationError as reused:
        raise PosReferenceReused(request.pos_reference) from reused
    except asyncpg.RaiseError as raised:
        if BALANCE_LIMIT_EXCEEDED not in str(raised):
            raise
        raise BalanceLimitExceeded(limits, request.currency) from raised
    assert result is not None, "wallet_recharge returns exactly one row"
    return RechargeOutcome(result["outcome"], result["status_code"], result["body"])


async def find_recharge(connection, recharge_id: uuid.UUID):
    statement = select(tables.recharges).where(tables.recharges.c.recharge_id == recharge_id)
    return (await connection.execute(statement)).first()
