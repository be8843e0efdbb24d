"""Recording a recharge: principal credit, ledger entry and `RechargeCompleted`, in the
caller's transaction. The wallet row lock taken first serialises one member's money moves,
which also keeps that member's events in outbox order."""

from __future__ import annotations

import uuid

from shared.events.wallet import RechargeCompleted
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError

from services.wallet import tables
from services.wallet.domain import StoredValueLimits, check_recharge, recharge_lines
from services.wallet.schemas import BonusStatus, RechargeReceipt, RechargeRequest
from shared.db.unit_of_work import UnitOfWork
from shared.money import Money

LOCK_WALLET = text("""
    INSERT INTO wallets (member_id, currency) VALUES (:member_id, :currency)
    ON CONFLICT (member_id, currency) DO UPDATE SET updated_at = wallets.updated_at
    RETURNING principal, bonus, lifetime_recharged, recharge_count
""")
CREDIT_PRINCIPAL = text("""
    UPDATE wallets SET principal = principal + :amount,
        lifetime_recharged = lifetime_recharged + :amount,
        recharge_count = recharge_count + 1, updated_at = :now
    WHERE member_id = :member_id AND currency = :currency
    RETURNING principal, bonus, lifetime_recharged, recharge_count
""")


class PosReferenceReused(Exception):
    pass


async def record_recharge(
    uow: UnitOfWork, request: RechargeRequest, limits: StoredValueLimits
) -> RechargeReceipt:
    db, now = uow.connection, uow.clock.now()
    key = {"member_id": request.member_id, "currency": request.currency}
    before = (await db.execute(LOCK_WALLET, key)).one()
    check_recharge(Money(request.amount, request.currency), before.principal + before.bonus, limits)
    after = (await db.execute(CREDIT_PRINCIPAL, {**key, "amount": request.amount, "now": now})).one()

    recharge_id = uuid.uuid4()
    try:
        await db.execute(insert(tables.recharges).values(
            recharge_id=recharge_id, created_at=now,
            **request.model_dump(exclude={"member_id", "currency", "amount"}), **key,
            amount=request.amount,
        ))
    except IntegrityError as error:
        raise PosReferenceReused(request.pos_reference) from error
    entry_id = uuid.uuid4()
    await db.execute(insert(tables.journal_entries).values(
        entry_id=entry_id, member_id=request.member_id, kind="recharge",
        source_id=str(recharge_id), reason="recharge", occurred_at=now))
    await db.execute(insert(tables.journal_lines), [
        {"entry_id": entry_id, "line_no": n, "account": line.account, "member_id": line.member_id,
         "currency": request.currency, "amount": line.amount}
        for n, line in enumerate(recharge_lines(request.member_id, request.amount), start=1)
    ])
    uow.emit(RechargeCompleted(
        occurred_at=now, member_id=request.member_id, recharge_id=str(recharge_id),
        amount=request.amount, currency=request.currency,
        payment_method=request.payment_method, payment_reference=request.payment_reference,
        store_id=request.store_id, terminal_id=request.terminal_id, channel=request.channel,
        is_first_recharge=before.recharge_count == 0,
        lifetime_recharged=after.lifetime_recharged,
    ))
    return RechargeReceipt(
        recharge_id=recharge_id, member_id=request.member_id, amount=request.amount,
        currency=request.currency, principal_balance=after.principal, bonus_balance=after.bonus,
        balance=after.principal + after.bonus, bonus=BonusStatus(status="pending"),
        created_at=now,
    )


async def find_recharge(uow: UnitOfWork, recharge_id: uuid.UUID):
    statement = select(tables.recharges).where(tables.recharges.c.recharge_id == recharge_id)
    return (await uow.connection.execute(statement)).first()
