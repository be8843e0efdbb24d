"""One payment of bonus on spend: screened, then a `cashback_grants` row (its grant id
derived from the offer and the occasion, so a second event about the same occasion decides
nothing), the offer's budget charged by the conditional UPDATE
(`store/offers.py:charge_budget`), and the `CashbackGranted` the wallet credits as a bonus
lot. The caller holds the member's lock.

The fraud screen (`store/spend_screen.py`) decides as for a recharge bonus: approve pays at
once; hold reserves the budget and waits in the review queue (`store/spend_reviews.py`,
approve emits CashbackGranted, reject gives the budget back); reject pays nothing.
Concurrent purchases queue on the budget row and each re-checks `spent + cost <= budget`,
so a budget is never overspent; a payment the rest of the budget cannot cover in full is
not made (never a part of one)."""

from __future__ import annotations

import json
from dataclasses import asdict

from sqlalchemy import text

from services.rewards.settings import RewardsSettings
from services.rewards.store import offers
from services.rewards.store.spend_screen import screen_purchase
from shared.db.unit_of_work import UnitOfWork
from shared.events.rewards import CashbackGranted, cashback_grant_id
from shared.events.wallet import PurchaseCompleted
from shared.structured_logging import get_logger

log = get_logger(__name__)
INSERT_GRANT = text("""
    INSERT INTO cashback_grants (grant_id, offer_id, kind, member_id, purchase_id, currency,
        amount, granted_at, purchase_amount, terminal_id, status, reasons, risk_score)
    VALUES (:grant_id, :offer_id, :kind, :member_id, :purchase_id, :currency, :amount, :now,
        :purchase_amount, :terminal_id, :status, CAST(:reasons AS jsonb), :risk_score)
""")
DECIDED = text("SELECT 1 FROM cashback_grants WHERE grant_id = :grant_id")
STATUS = {"approve": "granted", "hold": "held", "reject": "rejected"}


async def pay(uow: UnitOfWork, event: PurchaseCompleted, offer_id: str, kind: str,
              occasion: str, amount: int, purchase_amount: int,
              settings: RewardsSettings) -> str | None:
    """Decide `amount` of bonus for one occasion of an offer, once: the status decided now
    (`granted`, `held` or `rejected`), None if there was nothing to decide or no budget."""
    db, now = uow.connection, uow.clock.now()
    grant_id = cashback_grant_id(offer_id, occasion)
    if amount <= 0 or (await db.execute(DECIDED, {"grant_id": grant_id})).first():
        return None
    verdict = await screen_purchase(db, event, purchase_amount, settings.fraud, now)
    status = STATUS[verdict.outcome]
    if status != "rejected" and not await offers.charge_budget(db, offer_id, amount):
        log.info("spend_offer_budget_spent", offer_id=offer_id, purchase_id=event.purchase_id,
                 amount=amount)
        return None
    await db.execute(INSERT_GRANT, {
        "grant_id": grant_id, "offer_id": offer_id, "kind": kind, "member_id": event.member_id,
        "purchase_id": event.purchase_id, "currency": event.currency, "amount": amount,
        "now": now, "purchase_amount": purchase_amount, "terminal_id": event.terminal_id,
        "status": status, "reasons": json.dumps([asdict(r) for r in verdict.reasons]),
        "risk_score": verdict.risk_score})
    log.info(f"cashback_{status}", offer_id=offer_id, kind=kind, purchase_id=event.purchase_id,
             amount=amount, reasons=[r.rule for r in verdict.reasons])
    if status == "granted":
        uow.emit(CashbackGranted(**event.caused(occurred_at=now), grant_id=grant_id,
                                 purchase_id=event.purchase_id, offer_id=offer_id, kind=kind,
                                 amount=amount, currency=event.currency))
    return status
