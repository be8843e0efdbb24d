"""Bonus decisions from rewards, applied to the wallet. A granted bonus becomes a bonus lot
exactly once per grant: the inbox makes a redelivered event a no-op, and the lot's unique
`grant_id` makes a second event for the same grant one too."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from services.wallet.domain_entries import bonus_credit_lines
from services.wallet.domain_lots import BONUS, months_later
from services.wallet.ledger import lock_wallet, move_balances, post_entry
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import BonusGranted, BonusHeld, BonusRejected
from shared.events.wallet import BonusCredited
from shared.structured_logging import get_logger

log = get_logger(__name__)

RECHARGE = text("SELECT * FROM recharges WHERE recharge_id = :id")
RECHARGE_FOR_UPDATE = text("SELECT * FROM recharges WHERE recharge_id = :id FOR UPDATE")
INSERT_BONUS_LOT = text("""
    INSERT INTO lots (lot_id, member_id, currency, kind, source_kind, source_id, recharge_id,
        grant_id, amount, remaining, expires_at, created_at)
    VALUES (:lot_id, :member_id, :currency, 'bonus', 'grant', :source_id, :recharge_id,
        :grant_id, :amount, :amount, :expires_at, :now)
    ON CONFLICT ON CONSTRAINT one_bonus_lot_per_grant DO NOTHING RETURNING lot_id
""")
MARK_CREDITED = text("""
    UPDATE recharges SET bonus_status = 'credited', bonus_amount = :amount, grant_id = :grant_id
    WHERE recharge_id = :id
""")
MARK_DECISION = text("""
    UPDATE recharges SET bonus_status = :status, grant_id = :grant_id
    WHERE recharge_id = :id AND bonus_status = ANY(CAST(:from_statuses AS text[]))
""")


class BonusForUnknownRecharge(LookupError):
    """Dead-lettered: a decision about a recharge this wallet never recorded."""


def _recharge_uuid(recharge_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(recharge_id)
    except ValueError as error:
        raise BonusForUnknownRecharge(recharge_id) from error


async def credit_bonus(event: BonusGranted, uow: UnitOfWork, expiry_months: int | None) -> None:
    db, now, recharge_id = uow.connection, uow.clock.now(), _recharge_uuid(event.recharge_id)
    found = (await db.execute(RECHARGE, {"id": recharge_id})).first()
    if found is None or found.member_id != event.member_id or found.currency != event.currency:
        raise BonusForUnknownRecharge(event.recharge_id)
    await lock_wallet(db, found.member_id, found.currency)
    recharge = (await db.execute(RECHARGE_FOR_UPDATE, {"id": recharge_id})).one()
    if recharge.refunded_at is not None or event.amount == 0:
        log.info("bonus_not_credited", recharge_id=event.recharge_id, amount=event.amount,
                 refunded=recharge.refunded_at is not None)
        if recharge.refunded_at is None:
            await db.execute(MARK_CREDITED, {"id": recharge_id, "amount": 0, "grant_id": event.grant_id})
        return
    expires_at = months_later(now, expiry_months) if expiry_months else None
    lot = (await db.execute(INSERT_BONUS_LOT, {
        "lot_id": uuid.uuid4(), "member_id": event.member_id, "currency": event.currency,
        "source_id": str(event.grant_id), "recharge_id": recharge_id, "grant_id": event.grant_id,
        "amount": event.amount, "expires_at": expires_at, "now": now})).first()
    if lot is None:
        log.info("bonus_already_credited", grant_id=str(event.grant_id))
        return
    balances = await move_balances(db, event.member_id, event.currency, 0, event.amount, now)
    await post_entry(db, member_id=event.member_id, currency=event.currency, kind=BONUS,
                     source_id=event.grant_id, reason=f"bonus for recharge {event.recharge_id}",
                     now=now, lines=bonus_credit_lines(event.member_id, event.amount))
    await db.execute(MARK_CREDITED, {"id": recharge_id, "amount": event.amount,
                                     "grant_id": event.grant_id})
    uow.emit(BonusCredited(**event.caused(), occurred_at=now, grant_id=event.grant_id,
                           recharge_id=event.recharge_id, amount=event.amount,
                           currency=event.currency, bonus_balance=balances.bonus))


async def mark_held(event: BonusHeld, uow: UnitOfWork) -> None:
    await uow.connection.execute(MARK_DECISION, {
        "id": _recharge_uuid(event.recharge_id), "status": "held", "grant_id": event.grant_id,
        "from_statuses": ["pending"]})


async def mark_rejected(event: BonusRejected, uow: UnitOfWork) -> None:
    await uow.connection.execute(MARK_DECISION, {
        "id": _recharge_uuid(event.recharge_id), "status": "rejected", "grant_id": event.grant_id,
        "from_statuses": ["pending", "held"]})
