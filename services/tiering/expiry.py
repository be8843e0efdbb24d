"""The expiry job: `MembershipExpiring` at each reminder offset before a term's end and
`MembershipExpired` at the end, once each per term and offset (see scheduler.py for the
guarantees and how they are kept)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Row

from services.tiering import tables
from services.tiering.renewal_quotes import member_offer
from services.tiering.settings import TieringSettings
from services.tiering.terms import due_offsets, next_due, whole_days_left
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MembershipExpired, MembershipExpiring, RenewalQuote
from shared.service import ServiceContext

TRY_LEAD = text("SELECT pg_try_advisory_xact_lock(:key)")
DUE_TERMS = text("""
    SELECT term_id, member_id, term_end, next_due_at FROM membership_terms
    WHERE next_due_at IS NOT NULL AND next_due_at <= :now
      AND (next_due_at, term_id) > (:after_due, :after_id)
    ORDER BY next_due_at, term_id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
""")
START = (datetime(1, 1, 1, tzinfo=UTC), UUID(int=0))


class ExpiryJob:
    def __init__(self, context: ServiceContext, settings: TieringSettings, lock_key: int) -> None:
        self.context, self.settings, self.lock_key = context, settings, lock_key
        self.offsets = settings.reminder_offsets_days
        self.grace = timedelta(days=settings.membership_grace_days)

    async def run_once(self, now: datetime) -> tuple[int, int]:
        """(reminders emitted, expiries emitted)."""
        reminders = expiries = 0
        after = START
        while True:
            async with self.context.uow() as uow:
                if not (await uow.connection.execute(TRY_LEAD, {"key": self.lock_key})).scalar_one():
                    return reminders, expiries
                rows = (await uow.connection.execute(DUE_TERMS, {
                    "now": now, "after_due": after[0], "after_id": after[1],
                    "limit": self.settings.scheduler_batch_size})).all()
                for term in rows:
                    sent_reminder, sent_expiry = await self._process(uow, term, now)
                    reminders, expiries = reminders + sent_reminder, expiries + sent_expiry
            if len(rows) < self.settings.scheduler_batch_size:
                return reminders, expiries
            after = (rows[-1].next_due_at, rows[-1].term_id)

    async def _process(self, uow: UnitOfWork, term: Row, now: datetime) -> tuple[int, int]:
        sent = (0, 0)
        if now >= term.term_end:
            if await self._record(uow, term.term_id, "expired", (0,), now):
                uow.emit(MembershipExpired(
                    member_id=term.member_id, occurred_at=now, term_id=str(term.term_id),
                    term_end=term.term_end, grace_until=term.term_end + self.grace))
                sent = (0, 1)
        elif await self._record(uow, term.term_id, "expiring",
                                due_offsets(term.term_end, now, self.offsets), now):
            await self._remind(uow, term, now)
            sent = (1, 0)
        await uow.connection.execute(
            update(tables.membership_terms).where(tables.membership_terms.c.term_id == term.term_id)
            .values(next_due_at=next_due(term.term_end, now, self.offsets)))
        return sent

    async def _record(self, uow: UnitOfWork, term_id: UUID, kind: str, offsets: tuple[int, ...],
                      now: datetime) -> bool:
        """Claim the due offsets; True if the nearest one was claimed now (so: emit it). The
        farther ones claimed in the same go were missed and are recorded as skipped."""
        if not offsets:
            return False
        nearest = min(offsets)
        statement = insert(tables.reminders_sent).values([
            {"term_id": term_id, "kind": kind, "offset_days": d, "emitted": d == nearest, "sent_at": now}
            for d in offsets]).on_conflict_do_nothing().returning(tables.reminders_sent.c.emitted)
        return any((await uow.connection.execute(statement)).scalars().all())

    async def _remind(self, uow: UnitOfWork, term: Row, now: datetime) -> None:
        offer = await member_offer(uow.connection, self.settings, term.member_id, now)
        uow.emit(MembershipExpiring(
            member_id=term.member_id, occurred_at=now, term_id=str(term.term_id),
            term_end=term.term_end, days_left=whole_days_left(term.term_end, now),
            renewal_quote=tuple(RenewalQuote(years=q.years, price=q.price, currency=self.settings.currency)
                                for q in offer.quotes)))
