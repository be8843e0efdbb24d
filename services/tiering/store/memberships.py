"""Paid membership terms in the database: renewals that stack, and refunds that revoke.

A renewal links the term it continues (`succeeded_by`) and takes it off the membership
reminder job's queue (`next_due_at = NULL`), so no reminder or expiry goes out for a
renewed term.

A refund of a renewal purchase that covers the membership's price revokes that term: it
is cancelled, the chain closes over the gap (the term before it is linked to the one after
it, and every later stacked term moves earlier by the revoked length), and if it was the
last term the previous one is back on the expiry queue. A smaller refund does not touch
the term (it was a price adjustment). No event is emitted for a revocation: the v1 catalog
has none (see docs/tiering.md).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.memberships import Renewal, TermSpan, first_due, renewed_term
from services.tiering.store import tables
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MembershipRenewed
from shared.events.wallet import PurchaseCompleted

terms = tables.membership_terms


async def latest_term(db: AsyncConnection, member_id: str, *, lock: bool = False) -> Row | None:
    statement = (select(terms).where(terms.c.member_id == member_id, terms.c.cancelled_at.is_(None))
                 .order_by(terms.c.term_end.desc()).limit(1))
    return (await db.execute(statement.with_for_update() if lock else statement)).first()


async def renew(uow: UnitOfWork, purchase: PurchaseCompleted, renewal: Renewal,
                grace: timedelta, offsets: tuple[int, ...]) -> TermSpan:
    db = uow.connection
    previous = await latest_term(db, purchase.member_id, lock=True)
    span = renewed_term(previous.term_end if previous else None, purchase.occurred_at,
                        renewal.years, grace)
    term_id = uuid.uuid4()
    await db.execute(insert(terms).values(
        term_id=term_id, member_id=purchase.member_id, term_start=span.start, term_end=span.end,
        years=renewal.years, price=renewal.price, currency=purchase.currency,
        purchase_id=purchase.purchase_id, bought_at=purchase.occurred_at,
        next_due_at=first_due(span.end, offsets)))
    if previous is not None and span.start == previous.term_end:
        await db.execute(update(terms).where(terms.c.term_id == previous.term_id)
                         .values(succeeded_by=term_id, next_due_at=None))
    uow.emit(MembershipRenewed(
        **purchase.caused(), occurred_at=uow.clock.now(), term_id=str(term_id),
        term_start=span.start, term_end=span.end, years=renewal.years, price=renewal.price,
        currency=purchase.currency, purchase_id=purchase.purchase_id))
    return span


async def term_bought_by(db: AsyncConnection, purchase_id: str) -> Row | None:
    statement = select(terms).where(terms.c.purchase_id == purchase_id).with_for_update()
    return (await db.execute(statement)).first()


async def revoke(db: AsyncConnection, term: Row, now: datetime, offsets: tuple[int, ...]) -> None:
    length = term.term_end - term.term_start
    await db.execute(update(terms).where(terms.c.term_id == term.term_id)
                     .values(cancelled_at=now, next_due_at=None))
    before = (await db.execute(select(terms).where(terms.c.succeeded_by == term.term_id)
                               .with_for_update())).first()
    if before is not None:
        reopened = None if term.succeeded_by else first_due(before.term_end, offsets)
        await db.execute(update(terms).where(terms.c.term_id == before.term_id)
                         .values(succeeded_by=term.succeeded_by, next_due_at=reopened))
    following = term.succeeded_by
    while following is not None:
        later = (await db.execute(select(terms).where(terms.c.term_id == following)
                                  .with_for_update())).one()
        end = later.term_end - length
        await db.execute(update(terms).where(terms.c.term_id == later.term_id).values(
            term_start=later.term_start - length, term_end=end,
            next_due_at=first_due(end, offsets) if later.succeeded_by is None else None))
        following = later.succeeded_by
