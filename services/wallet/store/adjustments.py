"""Operators' corrections: a journal entry against `wallet_adjustments`, with the reason and
the actor, never an edit. A credit makes a new lot (no expiry); a debit takes from the
soonest-expiring lots of its kind and is refused when the wallet does not hold it."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import insert

from services.wallet.rules.entries import adjustment_lines
from services.wallet.rules.lots import BONUS, PRINCIPAL, negated, take_from_kind
from services.wallet.store import tables
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots, new_lot, open_lots
from services.wallet.store.wallets import lock_wallet, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import WalletAdjusted

if TYPE_CHECKING:  # the request's shape only: store/ never imports the HTTP layer
    from services.wallet.api.schemas.ops import AdjustmentRequest


async def adjust_wallet(uow: UnitOfWork, request: AdjustmentRequest, actor: str) -> dict:
    """The adjustment made; the fields of its receipt."""
    db, now = uow.connection, uow.clock.now()
    member, currency = request.member_id, request.currency
    deltas = ((PRINCIPAL, request.principal_delta), (BONUS, request.bonus_delta))
    await lock_wallet(db, member, currency)
    lots = await open_lots(db, member, currency)
    takes = [draw for kind, delta in deltas if delta < 0
             for draw in take_from_kind(lots, kind, -delta, now)]
    await move_lots(db, negated(takes))
    adjustment_id = uuid.uuid4()
    for kind, delta in deltas:
        if delta > 0:
            await new_lot(db, member_id=member, currency=currency, kind=kind, amount=delta,
                          source_kind="adjustment", source_id=adjustment_id, now=now)
    balances = await move_balances(db, member, currency, request.principal_delta,
                                   request.bonus_delta, now)
    await db.execute(insert(tables.adjustments).values(
        adjustment_id=adjustment_id, member_id=member, currency=currency,
        principal_delta=request.principal_delta, bonus_delta=request.bonus_delta,
        reason=request.reason, actor=actor, created_at=now))
    await post_entry(db, member_id=member, currency=currency, kind="adjustment",
                     source_id=adjustment_id, reason=request.reason, now=now, actor=actor,
                     lines=adjustment_lines(member, request.principal_delta, request.bonus_delta))
    uow.emit(WalletAdjusted(
        occurred_at=now, member_id=member, adjustment_id=str(adjustment_id), currency=currency,
        principal_delta=request.principal_delta, bonus_delta=request.bonus_delta,
        reason=request.reason, actor=actor))
    return dict(
        adjustment_id=adjustment_id, member_id=member, currency=currency,
        principal_delta=request.principal_delta, bonus_delta=request.bonus_delta,
        reason=request.reason, actor=actor, principal_balance=balances.principal,
        bonus_balance=balances.bonus)
