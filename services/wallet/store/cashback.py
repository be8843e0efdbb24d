"""Cash-back lots: rewards' `CashbackGranted` credited as bonus value, exactly once per
grant (`cashback_credits` keyed by grant id; the lot's unique `grant_id` too), with the
wallet's bonus expiry; and the clawback a refund of the purchase makes
(rules/cashback.py), in the refund's own transaction.

A grant that arrives after part of its purchase was refunded is credited net of what that
refund would have taken, so the order of the two events changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.wallet.rules.cashback import clawback, clawback_due
from services.wallet.rules.entries import bonus_clawback_lines, bonus_credit_lines
from services.wallet.rules.lots import BONUS, Draw
from services.wallet.store import tables
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots, new_lot
from services.wallet.store.wallets import lock_wallets, move_balances
from shared.dates import months_later
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackGranted
from shared.events.wallet import CashbackCredited
from shared.structured_logging import get_logger

log = get_logger(__name__)
PURCHASE = text("""
    SELECT member_id, currency, total, refunded_amount FROM purchases
    WHERE purchase_id = :id FOR UPDATE
""")
CREDITED = text("SELECT 1 FROM cashback_credits WHERE grant_id = :grant_id")
CREDITS_OF_PURCHASE = text("""
    SELECT c.grant_id, c.amount, c.lot_id, c.clawed_back, c.unrecovered,
           coalesce(l.remaining, 0) AS remaining
    FROM cashback_credits c LEFT JOIN lots l USING (lot_id)
    WHERE c.purchase_id = :id AND c.kind = 'cashback' ORDER BY c.grant_id FOR UPDATE OF c
""")
SETTLE = text("""
    UPDATE cashback_credits SET clawed_back = clawed_back + :taken,
        unrecovered = unrecovered + :unrecovered WHERE grant_id = :grant_id
""")


class CashbackForUnknownPurchase(LookupError):
    """Dead-lettered: a grant about a purchase this wallet never recorded."""


async def credit_cashbacks(events: Sequence[CashbackGranted], uow: UnitOfWork,
                           expiry_months: int | None) -> None:
    """Credit a consumer batch's grants: wallets locked in one statement (key order), then
    each grant's purchase row, in event order."""
    await lock_wallets(uow.connection, [(e.member_id, e.currency) for e in events])
    for event in events:
        await _credit(event, uow, expiry_months)


async def _credit(event: CashbackGranted, uow: UnitOfWork, expiry_months: int | None) -> None:
    db, now = uow.connection, uow.clock.now()
    try:
        purchase_id = uuid.UUID(event.purchase_id)
    except ValueError as error:
        raise CashbackForUnknownPurchase(event.purchase_id) from error
    purchase = (await db.execute(PURCHASE, {"id": purchase_id})).first()
    if purchase is None or (purchase.member_id, purchase.currency) != (event.member_id, event.currency):
        raise CashbackForUnknownPurchase(event.purchase_id)
    if (await db.execute(CREDITED, {"grant_id": event.grant_id})).first():
        log.info("cashback_already_credited", grant_id=str(event.grant_id))
        return
    refunded_share = (clawback_due(event.amount, purchase.total, purchase.refunded_amount)
                      if event.kind == "cashback" else 0)
    credit = event.amount - refunded_share
    lot_id = None
    if credit > 0:
        expires_at = months_later(now, expiry_months) if expiry_months else None
        lot_id = await new_lot(
            db, member_id=event.member_id, currency=event.currency, kind=BONUS, amount=credit,
            source_kind="cashback", source_id=event.grant_id, grant_id=event.grant_id, now=now,
            expires_at=expires_at)
        balances = await move_balances(db, event.member_id, event.currency, 0, credit, now)
        uow.emit(CashbackCredited(**event.caused(), occurred_at=now, grant_id=event.grant_id,
                                  purchase_id=event.purchase_id, kind=event.kind, amount=credit,
                                  currency=event.currency, bonus_balance=balances.bonus,
                                  expires_at=expires_at))
        await post_entry(db, member_id=event.member_id, currency=event.currency, kind=BONUS,
                         source_id=event.grant_id, now=now,
                         reason=f"{event.kind} for purchase {event.purchase_id}",
                         lines=bonus_credit_lines(event.member_id, credit))
    await db.execute(insert(tables.cashback_credits).values(
        grant_id=event.grant_id, purchase_id=purchase_id, member_id=event.member_id,
        currency=event.currency, kind=event.kind, amount=event.amount, lot_id=lot_id,
        clawed_back=refunded_share, created_at=now))
    log.info("cashback_credited", grant_id=str(event.grant_id), amount=credit,
             refunded_before=refunded_share)


async def claw_back(db: AsyncConnection, purchase_id: uuid.UUID, member_id: str, currency: str,
                    purchase_total: int, refunded_total: int, refund_id: uuid.UUID,
                    now: datetime) -> int:
    """Take back the purchase's cash-back for a refund bringing it to `refunded_total`
    (the caller holds the wallet's lock and the purchase's row); what was taken."""
    taken = 0
    for row in (await db.execute(CREDITS_OF_PURCHASE, {"id": purchase_id})).all():
        part = clawback(row.amount, purchase_total, refunded_total,
                        row.clawed_back + row.unrecovered, row.remaining)
        if part.taken:
            await move_lots(db, [Draw(row.lot_id, BONUS, -part.taken)])
        if part.taken or part.unrecovered:
            await db.execute(SETTLE, {"grant_id": row.grant_id, "taken": part.taken,
                                      "unrecovered": part.unrecovered})
        if part.unrecovered:
            log.info("cashback_unrecovered", grant_id=str(row.grant_id), amount=part.unrecovered)
        taken += part.taken
    if taken:
        await move_balances(db, member_id, currency, 0, -taken, now)
        await post_entry(db, member_id=member_id, currency=currency, kind="cashback_clawback",
                         source_id=refund_id, reason=f"cash-back of purchase {purchase_id} refunded",
                         now=now, lines=bonus_clawback_lines(member_id, taken))
    return taken
