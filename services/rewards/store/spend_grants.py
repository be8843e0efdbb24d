"""One payment of bonus on spend: a `cashback_grants` row (its grant id derived from the
offer and the occasion, so a second event about the same occasion pays nothing), the
offer's budget charged by the conditional UPDATE (`store/offers.py:charge_budget`), and
the `CashbackGranted` the wallet credits as a bonus lot. The caller holds the member's lock.

Concurrent purchases queue on the budget row and each re-checks `spent + cost <= budget`,
so a budget is never overspent; a payment the rest of the budget cannot cover in full is
not made (never a part of one)."""

from __future__ import annotations

from sqlalchemy import text

from services.rewards.store import offers
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackGranted, cashback_grant_id
from shared.events.wallet import PurchaseCompleted
from shared.structured_logging import get_logger

log = get_logger(__name__)
INSERT_GRANT = text("""
    INSERT INTO cashback_grants (grant_id, offer_id, kind, member_id, purchase_id, currency,
        amount, granted_at)
    VALUES (:grant_id, :offer_id, :kind, :member_id, :purchase_id, :currency, :amount, :now)
""")
GRANTED = text("SELECT 1 FROM cashback_grants WHERE grant_id = :grant_id")


async def pay(uow: UnitOfWork, event: PurchaseCompleted, offer_id: str, kind: str,
              occasion: str, amount: int) -> bool:
    """Pay `amount` of bonus for one occasion of an offer, once, within its budget."""
    db = uow.connection
    grant_id = cashback_grant_id(offer_id, occasion)
    if amount <= 0 or (await db.execute(GRANTED, {"grant_id": grant_id})).first():
        return False
    if not await offers.charge_budget(db, offer_id, amount):
        log.info("spend_offer_budget_spent", offer_id=offer_id, purchase_id=event.purchase_id,
                 amount=amount)
        return False
    now = uow.clock.now()
    await db.execute(INSERT_GRANT, {
        "grant_id": grant_id, "offer_id": offer_id, "kind": kind, "member_id": event.member_id,
        "purchase_id": event.purchase_id, "currency": event.currency, "amount": amount,
        "now": now})
    uow.emit(CashbackGranted(**event.caused(occurred_at=now), grant_id=grant_id,
                             purchase_id=event.purchase_id, offer_id=offer_id, kind=kind,
                             amount=amount, currency=event.currency))
    log.info("cashback_granted", offer_id=offer_id, kind=kind, purchase_id=event.purchase_id,
             amount=amount)
    return True
