"""Recording a recharge in ONE database round trip: the stored function `wallet_recharge`
(store/sql/wallet_recharge.sql) takes the idempotency lock, replays or claims the key, picks
the caps by the card's kind, locks or creates the wallet, checks the caps, refuses a frozen
wallet, applies the short-window risk rules (rules/risk.py: the lot may be held, the wallet
frozen), inserts the recharge, its principal lot, the journal entry and its lines, the
outbox row and the idempotency record, and returns the receipt.

Python does everything that needs no database state first: the request checks, the ids,
the journal lines (`recharge_lines`, as jsonb) and the `RechargeCompleted` event, built and validated
by its catalog model; it is sent as jsonb without the three fields that depend on the
database (`is_first_recharge`, `lifetime_recharged`, `card_kind`), which the function adds.
The call runs in autocommit on a raw asyncpg connection of the service's statement pool
(prepared once per connection): the function's statement is the transaction, so there is no
BEGIN/COMMIT exchange, and no ORM work on the way. Its outbox insert sends no NOTIFY (that
would serialise the commits, migration 0003); the route wakes the relay after the commit.
With group commit on (`recharge_groups.py`), the same arguments travel by name in the
statement of the recharge's group, and its refusals come back as the same violations.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

import asyncpg
import orjson
from sqlalchemy import select

from services.wallet.rules.currencies import check_currency
from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.freezes import WALLET_FROZEN, WalletIsFrozen
from services.wallet.rules.payment_references import masked_reference, reference_token
from services.wallet.rules.recharges import (
    BALANCE_LIMIT_EXCEEDED,
    CARD_KINDS,
    RECHARGE_ABOVE_LIMIT,
    BalanceLimitExceeded,
    PosReferenceReused,
    RechargeAboveLimit,
    StoredValueLimits,
    check_recharge_request,
)
from services.wallet.rules.risk import RiskRule, as_json
from services.wallet.store import tables
from shared.clock import Clock
from shared.db.statement_pool import StatementPool
from shared.events.card_numbers import refuse_card_numbers_in_json
from shared.events.cloudevents import header_attributes
from shared.events.wallet import RechargeCompleted, WalletFrozen
from shared.http import idempotency
from shared.money import Money
from shared.topics import Topics

if TYPE_CHECKING:  # the request's shape only: store/ never imports the HTTP layer
    from services.wallet.api.schemas.recharges import RechargeRequest

# Arguments in the function's order: p_scope, p_key, p_lock_key, p_hash, p_recharge_id,
# p_lot_id, p_entry_id, p_member_id, p_currency, p_amount, p_payment_method,
# p_payment_reference, p_store_id, p_terminal_id, p_channel, p_pos_reference, p_now,
# p_now_text, p_limits, p_lines, p_event_id, p_topic, p_ce_type, p_headers, p_payload,
# then the risk block's: p_risk_rules, p_freeze_event_id, p_freeze_ce_type,
# p_freeze_headers, p_freeze_payload.
CALL = """SELECT outcome, status_code, body FROM wallet_recharge(
    $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
    $21, $22, $23, $24, $25, $26, $27, $28, $29, $30)"""
# What only the database knows when the function runs; the function adds them.
WALLET_STATE_FIELDS = frozenset({"is_first_recharge", "lifetime_recharged", "card_kind",
                                 "risk_reasons", "principal_held"})
CAP_REFUSALS = {RECHARGE_ABOVE_LIMIT: RechargeAboveLimit, BALANCE_LIMIT_EXCEEDED: BalanceLimitExceeded}
# What only the risk rule that fires knows; the function adds them to WalletFrozen.
FREEZE_FIELDS = frozenset({"reason", "actor"})


@dataclass(frozen=True)
class RechargeOutcome:
    """What the function answered: `created`, `replayed`, `in_progress` or `key_reused`."""

    outcome: str
    status_code: int
    body: bytes | None


def completed_event(request: RechargeRequest, recharge_id: uuid.UUID, clock: Clock,
                    reference_key: str) -> RechargeCompleted:
    """The event as it will be published, but for the wallet-state fields, which hold
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


def caps_by_kind(limits: StoredValueLimits) -> str:
    """`p_limits`: {"registered": {"max_recharge", "max_balance"}, "card": {...}} (orjson
    writes the dataclasses itself: about a microsecond, where `asdict` took tens)."""
    return orjson.dumps({kind: limits.caps(kind) for kind in CARD_KINDS}).decode()


def frozen_event(event: RechargeCompleted) -> WalletFrozen:
    """The WalletFrozen a `freeze` rule emits, but for the rule's reason and actor
    (placeholders left out of the payload sent); the function inserts it only if one fires."""
    return WalletFrozen(**event.caused(occurred_at=event.occurred_at), reason="-", actor="-",
                        recharge_id=event.recharge_id)


def published_payload(event: RechargeCompleted) -> str:
    """The event's JSON but for the fields the function adds; no card number in it (the
    other producers check in `Event.to_json`)."""
    payload = event.model_dump_json(exclude=set(WALLET_STATE_FIELDS))
    refuse_card_numbers_in_json(payload.encode(), "RechargeCompleted")
    return payload


@cache
def risk_rules_json(risk: tuple[RiskRule, ...]) -> str:
    """`p_risk_rules`: the same text for every recharge of a service (settings)."""
    return orjson.dumps(as_json(risk)).decode()


def freeze_arguments(freeze: WalletFrozen | None) -> tuple:
    """p_freeze_event_id, p_freeze_ce_type, p_freeze_headers, p_freeze_payload."""
    if freeze is None:
        return None, None, None, None
    return (freeze.event_id, freeze.ce_type(), orjson.dumps(header_attributes(freeze)).decode(),
            freeze.model_dump_json(exclude=set(FREEZE_FIELDS)))


# wallet_recharge's parameters in order, without their `p_` (the group's jsonb uses the names).
ARGUMENTS = ("scope", "key", "lock_key", "hash", "recharge_id", "lot_id", "entry_id",
             "member_id", "currency", "amount", "payment_method", "payment_reference",
             "store_id", "terminal_id", "channel", "pos_reference", "now", "now_text",
             "limits", "lines", "event_id", "topic", "ce_type", "headers", "payload",
             "risk_rules", "freeze_event_id", "freeze_ce_type", "freeze_headers",
             "freeze_payload")


class RefusedInGroup(Exception):
    """A recharge the group's statement refused (its own subtransaction rolled back): the
    error wallet_recharge raised, as asyncpg would have raised it for the recharge alone."""

    def __init__(self, sqlstate: str, message: str, detail: str | None) -> None:
        super().__init__(f"{sqlstate}: {message}")
        self.sqlstate, self.message, self.detail = sqlstate, message, detail or None


class RechargeWriter(Protocol):
    """Writes one recharge's call: alone (`write_alone`) or in a group (recharge_groups.py).
    Answers (outcome, status_code, body), or raises the refusal as an asyncpg error or a
    `RefusedInGroup`, both with the PostgreSQL error's sqlstate, message and detail."""

    async def write(self, arguments: dict[str, Any]) -> tuple[str, int, bytes | None]: ...


async def write_alone(statements: StatementPool,
                      arguments: dict[str, Any]) -> tuple[str, int, bytes | None]:
    """The recharge as its own statement (and transaction)."""
    row = await statements.fetchrow(CALL, *(arguments[name] for name in ARGUMENTS))
    assert row is not None, "wallet_recharge returns exactly one row"
    return row["outcome"], row["status_code"], row["body"]


def refusal(error: Any, request: RechargeRequest, limits: StoredValueLimits) -> Exception | None:
    """The rule violation a refusal of the function stands for (None: not a refusal)."""
    if error.sqlstate == "23505":  # the pos_reference's unique index
        return PosReferenceReused(request.pos_reference)
    if error.sqlstate != "P0001":
        return None
    if WALLET_FROZEN in (error.message or ""):
        return WalletIsFrozen(request.member_id)
    refused = CAP_REFUSALS.get(error.message)
    if refused is None or error.detail not in CARD_KINDS:
        return None
    return refused(limits, error.detail, request.currency)


async def record_recharge(
    statements: StatementPool, *, scope: str, key: str, fingerprint: bytes,
    request: RechargeRequest, limits: StoredValueLimits, clock: Clock, topics: Topics,
    reference_key: str,
    risk: tuple[RiskRule, ...] = (),
    writer: RechargeWriter | None = None,
) -> RechargeOutcome:
    """`writer`: the process's group commit when it is on; else the recharge is written alone."""
    # Before Money: it refuses a code it has no minor unit for (ZZZ, XTS, KWD) with an
    # error the client did not cause; the merchant's list answers 422 unsupported_currency.
    check_currency(limits.currencies, request.currency)
    check_recharge_request(Money(request.amount, request.currency), limits)
    recharge_id = uuid.uuid4()
    event = completed_event(request, recharge_id, clock, reference_key)
    # WalletFrozen is built only when a rule could freeze (none does by default): the
    # function reads the p_freeze_* arguments only when a `freeze` rule fires.
    freeze = frozen_event(event) if any(rule.action == "freeze" for rule in risk) else None
    lines = recharge_lines(request.member_id, request.amount)
    now = event.occurred_at
    arguments = dict(zip(ARGUMENTS, (
        scope, key, idempotency.lock_id(scope, key), fingerprint, recharge_id,
        uuid.uuid4(), uuid.uuid4(), request.member_id, request.currency, request.amount,
        request.payment_method, request.payment_reference, request.store_id,
        request.terminal_id, request.channel, request.pos_reference, now,
        now.isoformat().replace("+00:00", "Z"), caps_by_kind(limits),
        orjson.dumps(lines).decode(), event.event_id,
        topics.events(event.producer_name), event.ce_type(),
        orjson.dumps(header_attributes(event)).decode(),
        published_payload(event),
        risk_rules_json(tuple(risk)), *freeze_arguments(freeze)), strict=True))
    try:
        if writer is None:
            outcome, status_code, body = await write_alone(statements, arguments)
        else:
            outcome, status_code, body = await writer.write(arguments)
    except (asyncpg.UniqueViolationError, asyncpg.RaiseError, RefusedInGroup) as raised:
        violation = refusal(raised, request, limits)
        if violation is None:
            raise
        raise violation from raised
    return RechargeOutcome(outcome, status_code, body)


async def find_recharge(connection, recharge_id: uuid.UUID):
    statement = select(tables.recharges).where(tables.recharges.c.recharge_id == recharge_id)
    return (await connection.execute(statement)).first()


def recharge_view(row: dict) -> dict:
    """A recharge row as it is shown: its status (held while a risk rule holds the principal)
    and its bonus's."""
    view = {k: row.get(k) for k in ("recharge_id", "member_id", "amount", "currency", "store_id",
                                    "channel", "pos_reference", "created_at", "refunded_at",
                                    "released_by")}
    status = ("refunded" if row.get("refunded_at") else
              "held" if row.get("principal_held") else "completed")
    return {**view, "status": status, "risk_reasons": row.get("risk_reasons") or [],
            "bonus": {"status": row["bonus_status"], "amount": row["bonus_amount"]}}
