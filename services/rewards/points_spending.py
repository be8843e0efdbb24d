"""Points leaving the balance: reversal when the purchase that earned them is refunded,
and expiry of lots past their date. (Redemption for coupons is in coupon_store.)

A reversal takes from the refunded purchase's own lot first, then FIFO, and never takes the
balance below zero: points already spent stay spent, and the shortfall is logged. There is
no PointsReversed event in catalog v1, so a reversal is published as PointsRedeemed with
`reward_reference = "refund:<refund_id>"`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from services.rewards import history, points_ledger
from services.rewards.member_lock import lock_member
from services.rewards.points import expired, fifo_order, reversal_due
from shared.db.unit_of_work import UnitOfWork, UnitOfWorkFactory
from shared.events.rewards import PointsExpired, PointsRedeemed
from shared.events.wallet import PurchaseRefunded
from shared.structured_logging import get_logger

log = get_logger(__name__)


async def reverse_for_refund(event: PurchaseRefunded, uow: UnitOfWork) -> None:
    db = uow.connection
    if not await history.record_purchase_refund(db, event):
        return
    earning = await points_ledger.purchase_earning(db, event.purchase_id)
    if earning is None:
        return
    earned, total, reversed_so_far = earning
    refunded = int((await db.execute(text(
        "SELECT coalesce(sum(amount), 0) FROM refunds_seen WHERE kind = 'purchase' "
        "AND source_id = :p"), {"p": event.purchase_id})).scalar_one())
    due = reversal_due(earned, total, refunded, reversed_so_far)
    balance = await points_ledger.lock_account(db, event.member_id)
    take = min(due, balance)
    if take < due:
        log.warning("points_reversal_short", purchase_id=event.purchase_id, due=due, taken=take)
    if take == 0:
        return
    lots = fifo_order(await points_ledger.open_lots(db, event.member_id))
    own = [lot for lot in lots if lot.entry_id in await _lot_ids_of(uow, event.purchase_id)]
    ordered = own + [lot for lot in lots if lot not in own]
    entry = await points_ledger.spend(db, event.member_id, take, kind="reverse",
                                      reason=f"refund {event.refund_id}", at=uow.clock.now(),
                                      lots=ordered, source_id=event.purchase_id)
    uow.emit(PointsRedeemed(**event.caused(occurred_at=uow.clock.now()),
                            entry_id=str(entry.entry_id), points=take,
                            reward_reference=f"refund:{event.refund_id}", balance=entry.balance))


async def _lot_ids_of(uow: UnitOfWork, purchase_id: str) -> set[str]:
    rows = await uow.connection.execute(text(
        "SELECT entry_id FROM points_entries WHERE kind = 'earn' AND source_id = :p"),
        {"p": purchase_id})
    return {str(r) for r in rows.scalars()}


async def expire_member(uow: UnitOfWork, member_id: str, now: datetime) -> int:
    """Expire every lot of the member that is past its date; one PointsExpired per lot."""
    db = uow.connection
    await lock_member(db, member_id)
    await points_ledger.lock_account(db, member_id)
    count = 0
    for lot in expired(await points_ledger.open_lots(db, member_id), now):
        entry = await points_ledger.spend(db, member_id, lot.remaining, kind="expire",
                                          reason="expired", at=now, lots=[lot])
        uow.emit(PointsExpired(occurred_at=now, member_id=member_id, entry_id=str(entry.entry_id),
                               points=lot.remaining, balance=entry.balance))
        count += lot.remaining
    return count


async def expire_due(open_uow: UnitOfWorkFactory, now: datetime, limit: int = 500
                     ) -> dict[str, int]:
    """Sweep members with lots past their date, one transaction per member (idempotent: an
    expired lot has nothing left)."""
    async with open_uow() as uow:
        members = await points_ledger.members_with_expired_lots(uow.connection, now, limit)
    expired: dict[str, int] = {}
    for member in sorted(members):
        async with open_uow() as uow:
            expired[member] = await expire_member(uow, member, now)
    return expired
