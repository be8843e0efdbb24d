"""Membership reminders and expiries: `MembershipExpiring` at each reminder offset before
a term's end and `MembershipExpired` at the end, once each per term and offset (see
jobs/__init__.py for the guarantees and how they are kept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy.engine import Row

from services.tiering.rules.memberships import due_offsets, next_due, whole_days_left
from services.tiering.settings import TieringSettings
from services.tiering.store import membership_reminders
from services.tiering.store.quotes import member_offer
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import (
    MembershipExpired,
    MembershipExpiring,
    RenewalComponent,
    RenewalQuote,
)
from shared.jobs import leads
from shared.service import ServiceContext

JOB = "tiering.expiry"  # the leader lock: crc32("patronage.tiering.expiry") as before
START = (datetime(1, 1, 1, tzinfo=UTC), UUID(int=0))


async def send_membership_reminders(context: ServiceContext[TieringSettings],
                                    settings: TieringSettings, now: datetime) -> tuple[int, int]:
    """Everything due at `now`, in keyset batches; (reminders emitted, expiries emitted)."""
    reminders = expiries = 0
    after = START
    while True:
        async with context.uow() as uow:
            if not await leads(uow.connection, JOB):
                return reminders, expiries
            rows = await membership_reminders.due_terms(uow.connection, now, after,
                                                        settings.scheduler_batch_size)
            for term in rows:
                sent_reminder, sent_expiry = await _process(uow, settings, term, now)
                reminders, expiries = reminders + sent_reminder, expiries + sent_expiry
        if len(rows) < settings.scheduler_batch_size:
            return reminders, expiries
        after = (rows[-1].next_due_at, rows[-1].term_id)


async def _process(uow: UnitOfWork, settings: TieringSettings, term: Row,
                   now: datetime) -> tuple[int, int]:
    db, offsets = uow.connection, settings.reminder_offsets_days
    sent = (0, 0)
    if now >= term.term_end:
        if await membership_reminders.claim(db, term.term_id, "expired", (0,), now):
            uow.emit(MembershipExpired(
                member_id=term.member_id, occurred_at=now, term_id=str(term.term_id),
                term_end=term.term_end,
                grace_until=term.term_end + timedelta(days=settings.membership_grace_days)))
            sent = (0, 1)
    elif await membership_reminders.claim(db, term.term_id, "expiring",
                                          due_offsets(term.term_end, now, offsets), now):
        await _remind(uow, settings, term, now)
        sent = (1, 0)
    await membership_reminders.reschedule(db, term.term_id, next_due(term.term_end, now, offsets))
    return sent


async def _remind(uow: UnitOfWork, settings: TieringSettings, term: Row, now: datetime) -> None:
    offer = await member_offer(uow.connection, settings, term.member_id, now)
    uow.emit(MembershipExpiring(
        member_id=term.member_id, occurred_at=now, term_id=str(term.term_id),
        term_end=term.term_end, days_left=whole_days_left(term.term_end, now),
        renewal_quote=tuple(RenewalQuote(
            years=q.years, price=q.price, currency=settings.currency, list_price=q.list_price,
            components=tuple(RenewalComponent(kind=c.name, bps=c.bps) for c in q.components),
            floor_applied=q.floor_applied, upgrade_price=q.upgrade_price,
            upgrade_to=offer.upgrade_to if q.upgrade_price is not None else None)
            for q in offer.quotes)))
