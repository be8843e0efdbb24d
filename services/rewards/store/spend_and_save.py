"""Spend-and-save: each purchase's qualifying amount counted once per offer
(`spend_counted`, keyed by offer and purchase) into the member's total for the offer
(`spend_progress`); every threshold the total reaches is paid once (`spend_thresholds_paid`,
keyed by offer, member and threshold, then `store/spend_grants.py:pay`). A purchase refund
takes its share of the counted amount back out of the total (`uncount_refund`), so the
total is net of refunds. When that brings the total under a threshold already paid, its
reward is taken back (`reverse_unreached`): a granted one by `CashbackReversed` (the wallet
takes it back from its lot, as far as the lot holds), a held one rejected (its budget
reservation given back). A threshold's reward is decided once per member and offer (its
grant id is fixed by the occasion): one taken back is not paid again when the total
climbs back over it (docs/rewards.md, "Spend-and-save")."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.rules.cashback import SpendAndSaveOffer, refunded_share, thresholds_reached
from services.rewards.settings import RewardsSettings
from services.rewards.store import spend_reviews
from services.rewards.store.spend_grants import pay
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackReversed, cashback_grant_id
from shared.events.wallet import PurchaseCompleted, PurchaseRefunded

COUNT_PURCHASE = text("""
    INSERT INTO spend_counted (offer_id, purchase_id, member_id, counted, purchase_total)
    VALUES (:offer_id, :purchase_id, :member_id, :amount, :total)
    ON CONFLICT DO NOTHING RETURNING counted
""")
ADD_SPEND = text("""
    INSERT INTO spend_progress AS p (offer_id, member_id, spent) VALUES (:offer_id, :member_id, :amount)
    ON CONFLICT (offer_id, member_id) DO UPDATE SET spent = p.spent + :amount
    RETURNING spent
""")
PAID_THRESHOLDS = text("""
    SELECT threshold FROM spend_thresholds_paid WHERE offer_id = :offer_id AND member_id = :member_id
""")
MARK_PAID = text("""
    INSERT INTO spend_thresholds_paid (offer_id, member_id, threshold, grant_id, paid_at)
    VALUES (:offer_id, :member_id, :threshold, :grant_id, :now)
""")
COUNTED_FOR_PURCHASE = text("""
    SELECT offer_id, member_id, counted, purchase_total, refunded FROM spend_counted
    WHERE purchase_id = :purchase_id ORDER BY offer_id FOR UPDATE
""")
MARK_REFUNDED = text("""
    UPDATE spend_counted SET refunded = refunded + :amount
    WHERE offer_id = :offer_id AND purchase_id = :purchase_id
""")
TAKE_SPEND = text("""
    UPDATE spend_progress SET spent = greatest(0, spent - :amount)
    WHERE offer_id = :offer_id AND member_id = :member_id
    RETURNING spent
""")
# Thresholds the total fell under, each once (the row goes), with their grant's state
UNREACHED = text("""
    WITH gone AS (
      DELETE FROM spend_thresholds_paid
      WHERE offer_id = :offer_id AND member_id = :member_id AND threshold > :spent
      RETURNING grant_id
    )
    SELECT g.grant_id, g.status, g.amount, g.currency FROM cashback_grants g JOIN gone USING (grant_id)
    ORDER BY g.grant_id FOR UPDATE OF g
""")


async def count(uow: UnitOfWork, event: PurchaseCompleted, offer: SpendAndSaveOffer,
                amount: int, settings: RewardsSettings) -> None:
    """Count the purchase once and pay the thresholds the new total reaches."""
    db = uow.connection
    keys = {"offer_id": offer.offer_id, "member_id": event.member_id}
    counted = (await db.execute(COUNT_PURCHASE, {**keys, "purchase_id": event.purchase_id,
                                                 "amount": amount, "total": event.total})).first()
    if counted is None:
        return  # this purchase was counted before
    spent = (await db.execute(ADD_SPEND, {**keys, "amount": amount})).scalar_one()
    paid = (await db.execute(PAID_THRESHOLDS, keys)).scalars().all()
    for threshold, reward in thresholds_reached(offer, spent, paid):
        occasion = f"{event.member_id}:{threshold}"
        # decided (granted, held or rejected by the screen): this threshold is done
        if await pay(uow, event, offer.offer_id, "spend_and_save", occasion, reward, amount,
                     settings):
            await db.execute(MARK_PAID, {**keys, "threshold": threshold, "now": uow.clock.now(),
                                         "grant_id": cashback_grant_id(offer.offer_id, occasion)})


async def uncount_refund(uow: UnitOfWork, event: PurchaseRefunded) -> None:
    """Take the refunded share of the purchase's counted spend out of each offer's total."""
    db = uow.connection
    for row in (await db.execute(COUNTED_FOR_PURCHASE, {"purchase_id": event.purchase_id})).all():
        share = refunded_share(row.counted, row.purchase_total, row.refunded, event.amount)
        await db.execute(MARK_REFUNDED, {"offer_id": row.offer_id, "amount": event.amount,
                                         "purchase_id": event.purchase_id})
        if share:
            spent = (await db.execute(TAKE_SPEND, {
                "offer_id": row.offer_id, "member_id": row.member_id, "amount": share})).scalar()
            if spent is not None:
                await reverse_unreached(uow, event, row.offer_id, spent)


async def reverse_unreached(uow: UnitOfWork, event: PurchaseRefunded, offer_id: str,
                            spent: int) -> None:
    """Take back the rewards of the thresholds a total of `spent` no longer reaches."""
    keys = {"offer_id": offer_id, "member_id": event.member_id, "spent": spent}
    for grant in (await uow.connection.execute(UNREACHED, keys)).all():
        if grant.status == "granted":
            uow.emit(CashbackReversed(
                **event.caused(occurred_at=uow.clock.now()), grant_id=grant.grant_id,
                offer_id=offer_id, kind="spend_and_save", amount=grant.amount,
                currency=grant.currency, refund_id=event.refund_id))
        elif grant.status == "held":
            await spend_reviews.decide(uow, grant.grant_id, "rejected", "rewards:refund",
                                       f"refund {event.refund_id} took the spend under it")
