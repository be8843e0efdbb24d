"""Refunds. A purchase refund puts stored value back into the lots it came from (cumulative
pro-rata share, see rules/refunds.py) and takes back the purchase's cash-back in proportion
(store/cashback.py). A recharge refund pays back the unused principal by
the pro-rata rule, empties and voids the recharge's lots, and voids its bonus (a grant that
arrives later is not credited; a held principal is refunded like any other, from the held
balance). Both lock the wallet first, then the rows they change."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, text

from services.wallet.rules.entries import purchase_refund_lines, recharge_refund_lines
from services.wallet.rules.lots import BONUS, PRINCIPAL
from services.wallet.rules.refunds import (
    PaidDraw,
    RechargeAlreadyRefunded,
    purchase_refund,
    recharge_refund,
)
from services.wallet.store import tables
from services.wallet.store.cashback import claw_back
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots
from services.wallet.store.wallets import lock_wallet, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseRefunded, RechargeRefunded

PURCHASE_FOR_UPDATE = text("SELECT * FROM purchases WHERE purchase_id = :id FOR UPDATE")
DRAWS = text("""
    SELECT d.lot_id, d.kind, d.amount, d.returned, l.voided_at FROM purchase_draws d
    JOIN lots l USING (lot_id) WHERE d.purchase_id = :id ORDER BY l.seq FOR UPDATE OF d
""")
SETTLE_DRAWS = text("""
    UPDATE purchase_draws SET returned = purchase_draws.returned + s.amount
    FROM unnest(CAST(:ids AS uuid[]), CAST(:amounts AS bigint[])) AS s(lot_id, amount)
    WHERE purchase_draws.purchase_id = :purchase_id AND purchase_draws.lot_id = s.lot_id
""")
MARK_PURCHASE = text("""
    UPDATE purchases SET refunded_amount = refunded_amount + :amount,
        refunded_stored_value = refunded_stored_value + :stored_value WHERE purchase_id = :id
""")
RECHARGE_FOR_UPDATE = text("SELECT * FROM recharges WHERE recharge_id = :id FOR UPDATE")
RECHARGE_LOTS = text("""
    SELECT kind, amount, remaining, expired_amount, held FROM lots
    WHERE recharge_id = :id FOR UPDATE
""")
VOID_LOTS = text("UPDATE lots SET remaining = 0, voided_at = :now WHERE recharge_id = :id")
MARK_RECHARGE = text("""
    UPDATE recharges SET refunded_at = :now, refund_id = :refund_id,
        bonus_status = CASE WHEN bonus_status = 'rejected' THEN 'rejected' ELSE 'voided' END
    WHERE recharge_id = :id
""")


async def refund_purchase(uow: UnitOfWork, purchase_id: uuid.UUID, amount: int, reason: str | None,
                          actor: str, member_id: str, currency: str) -> dict:
    """`member_id`/`currency` come from a first read of the purchase: the wallet is locked
    before the purchase row is locked and re-read. The refund made; its receipt's fields."""
    db, now = uow.connection, uow.clock.now()
    await lock_wallet(db, member_id, currency)
    purchase = (await db.execute(PURCHASE_FOR_UPDATE, {"id": purchase_id})).one()
    draws = [PaidDraw(r.lot_id, r.kind, r.amount, r.returned,
                      accepts_returns=not (r.kind == BONUS and r.voided_at is not None))
             for r in await db.execute(DRAWS, {"id": purchase_id})]
    plan = purchase_refund(purchase.total, purchase.refunded_amount,
                           purchase.refunded_stored_value, amount, draws)
    if plan.settled:
        await db.execute(SETTLE_DRAWS, {"purchase_id": purchase_id,
                                        "ids": [d.lot_id for d in plan.settled],
                                        "amounts": [d.amount for d in plan.settled]})
    await move_lots(db, plan.returns)
    principal, bonus = plan.returned_principal, plan.returned_bonus
    balances = await move_balances(db, member_id, currency, principal, bonus, now)
    await db.execute(MARK_PURCHASE, {"id": purchase_id, "amount": amount,
                                     "stored_value": plan.stored_value})
    refund_id = uuid.uuid4()
    cashback = await claw_back(db, purchase_id, member_id, currency, purchase.total,
                               purchase.refunded_amount + amount, refund_id, now)
    await db.execute(insert(tables.refunds).values(
        refund_id=refund_id, kind="purchase", purchase_id=purchase_id, member_id=member_id,
        currency=currency, amount=amount, returned_principal=principal, returned_bonus=bonus,
        bonus_clawed_back=plan.forfeited, reason=reason, actor=actor, created_at=now))
    other = amount - plan.stored_value
    await post_entry(db, member_id=member_id, currency=currency, kind="purchase_refund",
                     source_id=refund_id, reason=reason or "purchase refunded", now=now,
                     actor=actor, lines=purchase_refund_lines(member_id, principal, bonus, other))
    uow.emit(PurchaseRefunded(
        occurred_at=now, member_id=member_id, refund_id=str(refund_id),
        purchase_id=str(purchase_id), amount=amount, currency=currency,
        returned_principal=principal, returned_bonus=bonus, cashback_clawed_back=cashback))
    return dict(
        refund_id=refund_id, purchase_id=purchase_id, amount=amount, currency=currency,
        returned_principal=principal, returned_bonus=bonus, forfeited_bonus=plan.forfeited,
        returned_other=other, cashback_clawed_back=cashback,
        principal_balance=balances.principal, bonus_balance=balances.bonus - cashback)


async def refund_recharge(uow: UnitOfWork, recharge_id: uuid.UUID, reason: str, actor: str,
                          member_id: str, currency: str) -> dict:
    """The refund made; the fields of its receipt."""
    db, now = uow.connection, uow.clock.now()
    await lock_wallet(db, member_id, currency)
    recharge = (await db.execute(RECHARGE_FOR_UPDATE, {"id": recharge_id})).one()
    if recharge.refunded_at is not None:
        raise RechargeAlreadyRefunded()
    lots = (await db.execute(RECHARGE_LOTS, {"id": recharge_id})).all()
    consumed = sum(lot.amount - lot.remaining - lot.expired_amount for lot in lots)
    principal = next(lot for lot in lots if lot.kind == PRINCIPAL)
    bonus = next((lot for lot in lots if lot.kind == BONUS), None)
    plan = recharge_refund(recharge.amount, bonus.amount if bonus else 0, consumed,
                           principal.remaining, bonus.remaining if bonus else 0)
    refund_id = uuid.uuid4()
    await db.execute(VOID_LOTS, {"id": recharge_id, "now": now})
    # a held principal (a risk rule held the recharge; never approved) leaves the held
    # balance: refunding it is how ops pay back a recharge rejected in review
    held = plan.principal_released if principal.held else 0
    balances = await move_balances(db, member_id, currency, held - plan.principal_released,
                                   -plan.bonus_released, now, held=-held)
    await db.execute(MARK_RECHARGE, {"id": recharge_id, "now": now, "refund_id": refund_id})
    await db.execute(insert(tables.refunds).values(
        refund_id=refund_id, kind="recharge", recharge_id=recharge_id, member_id=member_id,
        currency=currency, amount=plan.cash, returned_principal=0, returned_bonus=0,
        bonus_clawed_back=plan.clawed_back, reason=reason, actor=actor, created_at=now))
    await post_entry(db, member_id=member_id, currency=currency, kind="recharge_refund",
                     source_id=refund_id, reason=reason, now=now, actor=actor,
                     lines=recharge_refund_lines(member_id, plan.principal_released,
                                                 plan.bonus_released, plan.cash, plan.clawed_back))
    uow.emit(RechargeRefunded(
        occurred_at=now, member_id=member_id, refund_id=str(refund_id),
        recharge_id=str(recharge_id), currency=currency, principal_refunded=plan.cash,
        bonus_clawed_back=plan.clawed_back))
    return dict(
        refund_id=refund_id, recharge_id=recharge_id, currency=currency,
        principal_paid=recharge.amount, bonus_granted=bonus.amount if bonus else 0,
        consumed=consumed, principal_refunded=plan.cash, bonus_clawed_back=plan.clawed_back,
        principal_balance=balances.principal, bonus_balance=balances.bonus)
