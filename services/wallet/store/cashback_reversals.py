"""Spend rewards taken back: rewards' `CashbackReversed` (a refund brought the member's
spend under the spend-and-save threshold that paid the grant). The grant's credit row
(`cashback_credits`) is locked, what no refund has settled yet is taken from its lot as far
as the lot holds (rules/cashback.py:reversal), the rest recorded as unrecovered (the
merchant's cost, as for a refunded purchase's cash-back), one `cashback_clawback` journal
entry. A second reversal of the same grant finds nothing left to settle."""

from __future__ import annotations

from sqlalchemy import text

from services.wallet.rules.cashback import reversal
from services.wallet.rules.entries import bonus_clawback_lines
from services.wallet.rules.lots import BONUS, Draw
from services.wallet.store.cashback import SETTLE
from services.wallet.store.entries import post_entry
from services.wallet.store.lots import move_lots
from services.wallet.store.wallets import lock_wallets, move_balances
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackReversed
from shared.events.wallet import CashbackTakenBack
from shared.structured_logging import get_logger

log = get_logger(__name__)
CREDIT_OF_GRANT = text("""
    SELECT c.amount, c.lot_id, c.clawed_back, c.unrecovered, coalesce(l.remaining, 0) AS remaining
    FROM cashback_credits c LEFT JOIN lots l USING (lot_id)
    WHERE c.grant_id = :grant_id AND c.member_id = :member_id AND c.currency = :currency
    FOR UPDATE OF c
""")


class ReversalOfUnknownGrant(LookupError):
    """Dead-lettered: a reversal of a grant this wallet never credited (rewards publishes
    the grant first, on the member's partition, so this is never a matter of order)."""


async def reverse_cashback(event: CashbackReversed, uow: UnitOfWork) -> int:
    """Take the grant back; what was taken out of its lot."""
    db, now = uow.connection, uow.clock.now()
    await lock_wallets(db, [(event.member_id, event.currency)])
    row = (await db.execute(CREDIT_OF_GRANT, {"grant_id": event.grant_id, "member_id": event.member_id,
                                              "currency": event.currency})).first()
    if row is None:
        raise ReversalOfUnknownGrant(str(event.grant_id))
    part = reversal(row.amount, row.clawed_back + row.unrecovered, row.remaining)
    if part.taken:
        await move_lots(db, [Draw(row.lot_id, BONUS, -part.taken)])
        await post_entry(db, member_id=event.member_id, currency=event.currency,
                         kind="cashback_clawback", source_id=event.event_id, now=now,
                         reason=f"{event.kind} {event.grant_id} reversed by refund {event.refund_id}",
                         lines=bonus_clawback_lines(event.member_id, part.taken))
    if part.taken or part.unrecovered:
        await db.execute(SETTLE, {"grant_id": event.grant_id, "taken": part.taken,
                                  "unrecovered": part.unrecovered})
        # the wallet row is locked above; a zero move only reads the balance back
        balances = await move_balances(db, event.member_id, event.currency, 0, -part.taken, now)
        uow.emit(CashbackTakenBack(**event.caused(), occurred_at=now, grant_id=event.grant_id,
                                   refund_id=event.refund_id, amount=part.taken,
                                   unrecovered=part.unrecovered, currency=event.currency,
                                   bonus_balance=balances.bonus))
    log.info("cashback_reversed", grant_id=str(event.grant_id), taken=part.taken,
             unrecovered=part.unrecovered)
    return part.taken
