"""Bonus decisions from rewards, applied to the wallet; an approved grant also releases the
principal a risk rule held (`BonusGranted.principal_released`). A granted bonus becomes a bonus lot
exactly once per grant: the inbox makes a redelivered event a no-op, and the lot's unique
`grant_id` makes a second event for the same grant one too."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import text

from services.wallet.rules.entries import bonus_credit_lines
from services.wallet.rules.lots import BONUS
from services.wallet.store.lots import release_held_lot
from services.wallet.store.wallets import lock_wallets, move_balances
from shared.dates import months_later
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import BonusGranted, BonusHeld, BonusRejected
from shared.events.wallet import BonusCredited
from shared.structured_logging import get_logger

log = get_logger(__name__)

RECHARGES_FOR_UPDATE = text("""
    SELECT * FROM recharges WHERE recharge_id = ANY(CAST(:ids AS uuid[]))
    ORDER BY recharge_id FOR UPDATE
""")
# The whole credit in one statement: the lot (at most one per grant), the wallet's bonus
# balance, the journal entry and its lines, the recharge's bonus status. Every step after
# the lot runs only if the lot was new, so a second event for the same grant changes
# nothing and returns no row. (Data-modifying CTEs all run once; the lines' foreign key and
# the ledger's balance trigger are checked after the statement and at commit.)
CREDIT_BONUS = text("""
    WITH lot AS (
      INSERT INTO lots (lot_id, member_id, currency, kind, source_kind, source_id, recharge_id,
          grant_id, amount, remaining, expires_at, created_at)
      VALUES (:lot_id, :member_id, :currency, 'bonus', 'grant', :source_id, :recharge_id,
          :grant_id, :amount, :amount, :expires_at, :now)
      ON CONFLICT ON CONSTRAINT one_bonus_lot_per_grant DO NOTHING RETURNING lot_id
    ), balances AS (
      UPDATE wallets SET bonus = bonus + :amount, updated_at = :now
      WHERE member_id = :member_id AND currency = :currency AND EXISTS (SELECT FROM lot)
      RETURNING bonus
    ), entry AS (
      INSERT INTO journal_entries (entry_id, member_id, kind, source_id, reason, occurred_at)
      SELECT :entry_id, :member_id, :kind, :source_id, :reason, :now WHERE EXISTS (SELECT FROM lot)
      RETURNING entry_id
    ), lines AS (
      INSERT INTO journal_lines (entry_id, line_no, account, member_id, currency, amount)
      SELECT entry.entry_id, l.line_no, l.account, l.member_id, :currency, l.amount
      FROM entry, unnest(CAST(:line_nos AS smallint[]), CAST(:accounts AS text[]),
                         CAST(:line_members AS text[]), CAST(:line_amounts AS bigint[]))
           AS l(line_no, account, member_id, amount)
    ), credited AS (
      UPDATE recharges SET bonus_status = 'credited', bonus_amount = :amount, grant_id = :grant_id
      WHERE recharge_id = :recharge_id AND EXISTS (SELECT FROM lot)
    )
    SELECT bonus FROM balances
""")
MARK_CREDITED = text("""
    UPDATE recharges SET bonus_status = 'credited', bonus_amount = :amount, grant_id = :grant_id
    WHERE recharge_id = :id
""")
MARK_RELEASED = text("""
    UPDATE recharges SET principal_held = false, released_at = :now, released_by = :actor
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


async def credit_bonuses(events: Sequence[BonusGranted], uow: UnitOfWork,
                         expiry_months: int | None) -> None:
    """Credit a consumer batch's grants: the wallets locked in one statement (in key order,
    so overlapping batches cannot deadlock), then — wallets before recharges, as every money
    move locks them — the recharges in one, then one credit statement per grant, in event
    order."""
    db = uow.connection
    ids = [_recharge_uuid(event.recharge_id) for event in events]
    await lock_wallets(db, [(event.member_id, event.currency) for event in events])
    rows = (await db.execute(RECHARGES_FOR_UPDATE, {"ids": sorted(set(ids))})).all()
    recharges = {str(row.recharge_id): row for row in rows}
    for event, recharge_id in zip(events, ids, strict=True):
        await _credit(event, recharge_id, recharges.get(str(recharge_id)), uow, expiry_months)


async def _credit(event: BonusGranted, recharge_id: uuid.UUID, recharge, uow: UnitOfWork,
                  expiry_months: int | None) -> None:
    """Credit a grant to its recharge (a row locked after its wallet)."""
    db, now = uow.connection, uow.clock.now()
    if recharge is None or recharge.member_id != event.member_id or recharge.currency != event.currency:
        raise BonusForUnknownRecharge(event.recharge_id)
    if event.principal_released and recharge.refunded_at is None:
        await _release_principal(event, recharge_id, uow)
    if recharge.refunded_at is not None or event.amount == 0:
        log.info("bonus_not_credited", recharge_id=event.recharge_id, amount=event.amount,
                 refunded=recharge.refunded_at is not None)
        if recharge.refunded_at is None:
            await db.execute(MARK_CREDITED, {"id": recharge_id, "amount": 0, "grant_id": event.grant_id})
        return
    lines = bonus_credit_lines(event.member_id, event.amount)
    credited = (await db.execute(CREDIT_BONUS, {
        "lot_id": uuid.uuid4(), "member_id": event.member_id, "currency": event.currency,
        "source_id": str(event.grant_id), "recharge_id": recharge_id, "grant_id": event.grant_id,
        "amount": event.amount, "now": now,
        "expires_at": months_later(now, expiry_months) if expiry_months else None,
        "entry_id": uuid.uuid4(), "kind": BONUS, "reason": f"bonus for recharge {event.recharge_id}",
        "line_nos": list(range(1, len(lines) + 1)), "accounts": [line.account for line in lines],
        "line_members": [line.member_id for line in lines],
        "line_amounts": [line.amount for line in lines],
    })).first()
    if credited is None:
        log.info("bonus_already_credited", grant_id=str(event.grant_id))
        return
    uow.emit(BonusCredited(**event.caused(), occurred_at=now, grant_id=event.grant_id,
                           recharge_id=event.recharge_id, amount=event.amount,
                           currency=event.currency, bonus_balance=credited.bonus))


async def _release_principal(event: BonusGranted, recharge_id: uuid.UUID, uow: UnitOfWork) -> None:
    """A reviewer approved a recharge whose principal a risk rule held: its lot becomes
    spendable (held balance -> principal balance; the ledger does not move, the liability
    was booked at the recharge). Once: a second grant finds the lot no longer held."""
    db, now = uow.connection, uow.clock.now()
    released = await release_held_lot(db, recharge_id)
    if released is None:
        log.info("principal_already_released", recharge_id=event.recharge_id)
        return
    await move_balances(db, event.member_id, event.currency, released, 0, now, held=-released)
    await db.execute(MARK_RELEASED, {"id": recharge_id, "now": now,
                                     "actor": event.reviewed_by or "rewards"})
    log.info("principal_released", recharge_id=event.recharge_id, amount=released,
             reviewed_by=event.reviewed_by)


async def mark_held(event: BonusHeld, uow: UnitOfWork) -> None:
    await uow.connection.execute(MARK_DECISION, {
        "id": _recharge_uuid(event.recharge_id), "status": "held", "grant_id": event.grant_id,
        "from_statuses": ["pending"]})


async def mark_rejected(event: BonusRejected, uow: UnitOfWork) -> None:
    await uow.connection.execute(MARK_DECISION, {
        "id": _recharge_uuid(event.recharge_id), "status": "rejected", "grant_id": event.grant_id,
        "from_statuses": ["pending", "held"]})
