"""Tiering's event handlers (wallet events), and the one map that wires events to them.

Each handler locks the member first, records what the event counts for, then lets the
rules decide: an upgrade is immediate; a downgrade waits for the anniversary review
(scheduler.py). A renewal purchase also extends the membership (memberships.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from services.tiering import memberships, qualifying, rule_sets
from services.tiering.members import lock_member, upgrade_if_qualified
from services.tiering.memberships import renewal_in
from services.tiering.purchase_batches import apply_purchases
from services.tiering.settings import TieringSettings
from shared.db.unit_of_work import UnitOfWork
from shared.events.envelope import Event
from shared.events.wallet import (
    PurchaseCompleted,
    PurchaseRefunded,
    RechargeCompleted,
    RechargeRefunded,
)
from shared.messaging.batches import batch
from shared.service import ServiceHandlers
from shared.structured_logging import get_logger

log = get_logger(__name__)


class TieringHandlers:
    def __init__(self, settings: TieringSettings) -> None:
        self.settings = settings
        self.grace = timedelta(days=settings.membership_grace_days)
        self.offsets = settings.reminder_offsets_days

    def counts(self, event: Event) -> bool:
        if getattr(event, "currency", None) != self.settings.currency:
            log.info("tiering_ignored_currency", event_id=str(event.event_id))
            return False
        return True

    async def _decide(self, event: Event, uow: UnitOfWork) -> None:
        member = await lock_member(uow.connection, event.member_id)
        if member is not None:
            rules = await rule_sets.rules_in_force(uow.connection, self.settings.default_rules())
            await upgrade_if_qualified(uow, member, rules, self.settings.currency, **event.caused())

    async def on_purchase_completed(self, event: PurchaseCompleted, uow: UnitOfWork) -> None:
        await lock_member(uow.connection, event.member_id)
        renewal = renewal_in(event)
        if renewal is not None:
            await memberships.renew(uow, event, renewal, self.grace, self.offsets)
        if self.counts(event):
            await qualifying.record(
                uow.connection, member_id=event.member_id, measure="spend_12m",
                source_kind="purchase", source_id=event.purchase_id,
                amount=max(0, event.total - (renewal.price if renewal else 0)),
                counted_at=event.occurred_at)
            await self._decide(event, uow)

    async def on_purchases_completed(self, events: Sequence[PurchaseCompleted],
                                     uow: UnitOfWork) -> None:
        """`on_purchase_completed` for a whole consumer batch (purchase_batches.py)."""
        await apply_purchases(self, events, uow)

    async def on_purchase_refunded(self, event: PurchaseRefunded, uow: UnitOfWork) -> None:
        await lock_member(uow.connection, event.member_id)
        term = await memberships.term_bought_by(uow.connection, event.purchase_id)
        revoked = 0
        if term is not None and term.cancelled_at is None and event.amount >= term.price:
            await memberships.revoke(uow.connection, term, uow.clock.now(), self.offsets)
            revoked = term.price
            log.info("membership_revoked", term_id=str(term.term_id), purchase_id=event.purchase_id)
        if not self.counts(event):
            return
        bought, still_counted = await qualifying.original(uow.connection, "purchase", event.purchase_id)
        if bought is None:
            return
        await qualifying.record(
            uow.connection, member_id=event.member_id, measure="spend_12m",
            source_kind="purchase_refund", source_id=event.refund_id, refers_to=event.purchase_id,
            amount=-min(max(0, event.amount - revoked), still_counted), counted_at=bought.counted_at)

    async def on_recharge_completed(self, event: RechargeCompleted, uow: UnitOfWork) -> None:
        if self.counts(event):
            await lock_member(uow.connection, event.member_id)
            await qualifying.record(
                uow.connection, member_id=event.member_id, measure="lifetime_recharge",
                source_kind="recharge", source_id=event.recharge_id, amount=event.amount,
                counted_at=event.occurred_at)
            await self._decide(event, uow)

    async def on_recharge_refunded(self, event: RechargeRefunded, uow: UnitOfWork) -> None:
        if not self.counts(event):
            return
        await lock_member(uow.connection, event.member_id)
        paid, still_counted = await qualifying.original(uow.connection, "recharge", event.recharge_id)
        if paid is None:
            return
        await qualifying.record(
            uow.connection, member_id=event.member_id, measure="lifetime_recharge",
            source_kind="recharge_refund", source_id=event.refund_id, refers_to=event.recharge_id,
            amount=-min(event.principal_refunded, still_counted), counted_at=paid.counted_at)


async def on_purchases_completed(events: Sequence[PurchaseCompleted], uow: UnitOfWork,
                                 settings: TieringSettings) -> None:
    await TieringHandlers(settings).on_purchases_completed(events, uow)


async def on_purchase_refunded(event: PurchaseRefunded, uow: UnitOfWork,
                               settings: TieringSettings) -> None:
    await TieringHandlers(settings).on_purchase_refunded(event, uow)


async def on_recharge_completed(event: RechargeCompleted, uow: UnitOfWork,
                                settings: TieringSettings) -> None:
    await TieringHandlers(settings).on_recharge_completed(event, uow)


async def on_recharge_refunded(event: RechargeRefunded, uow: UnitOfWork,
                               settings: TieringSettings) -> None:
    await TieringHandlers(settings).on_recharge_refunded(event, uow)


HANDLERS: ServiceHandlers = {
    PurchaseCompleted: [batch(on_purchases_completed)],
    PurchaseRefunded: [on_purchase_refunded],
    RechargeCompleted: [on_recharge_completed],
    RechargeRefunded: [on_recharge_refunded],
}

