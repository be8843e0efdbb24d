"""Rewards on spend, decided on wallet's `PurchaseCompleted` (a consumer batch; the caller
holds the members' locks): cash-back on the purchase, the spend-and-save thresholds it
reaches (store/spend_and_save.py), the first-N gift it claims (store/first_n.py), each
offer if its targeting reaches the member then (rules/targeting.py). Every payment goes
through `store/spend_grants.py:pay` (screened, once per occasion, within the budget)."""

from __future__ import annotations

from collections.abc import Sequence

from services.rewards.rules.cashback import (
    CashbackOffer,
    FirstNGift,
    SpendAndSaveOffer,
    cashback_for,
    qualifying_amount,
)
from services.rewards.rules.targeting import MemberMoment, reaches
from services.rewards.settings import RewardsSettings
from services.rewards.store import first_n, offers, spend_and_save
from services.rewards.store.spend_grants import pay
from services.rewards.store.spend_offers import (
    SPEND_KINDS,
    data_segments_of,
    segments_at,
    spend_offer,
)
from shared.db.unit_of_work import UnitOfWork
from shared.events.wallet import PurchaseCompleted


async def reward_spend(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                       settings: RewardsSettings) -> None:
    """Every spend offer live at each purchase, offers in id order, purchases in event order."""
    timeline = await offers.OfferTimeline.read(uow.connection, max(e.occurred_at for e in events))
    zone = settings.zone()
    live = [[row for row in timeline.live_offers(event.occurred_at, event.currency)
             if row["kind"] in SPEND_KINDS] for event in events]
    # the data segments, read once for the batch before its own facts are recorded
    # (handlers.py refreshes the members' segments after this)
    data_segments = await data_segments_of(uow.connection, (e.member_id for e in events),
                                           (row for rows in live for row in rows))
    for event, rows in zip(events, live, strict=True):
        amount = qualifying_amount(event.total, event.paid_bonus)
        if not rows or amount == 0:
            continue
        targeted = any(row["terms"].get("segments") for row in rows)
        segments = (await segments_at(uow.connection, event.member_id, event.currency,
                                      event.occurred_at, settings) if targeted else frozenset())
        moment = MemberMoment(event.occurred_at, event.occurred_at.astimezone(zone).weekday(),
                              segments, data_segments.get(event.member_id, frozenset()))
        for offer in (spend_offer(row) for row in sorted(rows, key=lambda r: r["offer_id"])):
            if not reaches(offer.audience, moment):
                continue
            if isinstance(offer, CashbackOffer):
                await pay(uow, event, offer.offer_id, "cashback", event.purchase_id,
                          cashback_for(offer, amount), amount, settings)
            elif isinstance(offer, SpendAndSaveOffer):
                await spend_and_save.count(uow, event, offer, amount, settings)
            elif isinstance(offer, FirstNGift):
                await first_n.claim(uow, event, offer, amount, settings)
