"""Erasure requests in the database: asking, cancelling during the cooling-off, starting
(tiering erases its own part and publishes `MemberErasureStarted`), recording each
service's confirmation and completing (`MemberErased`) once all have confirmed.

Every step locks the member's row first (`lock_member`), so a request, its cancellation and
its start never race, and the member's events stay in order. Every step is audited in
`erasure_actions` (who, what, when), whoever the caller: the ops audit middleware sees only
ops callers, and a member asking to be forgotten is a fact the merchant must be able to
show."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from services.tiering.rules.erasure import ERASING_SERVICES, check_cancellable, erase_at, is_complete
from services.tiering.store.members import MemberNotFound, lock_member
from services.tiering.store.tables import (
    data_export_parts,
    erasure_actions,
    erasure_confirmations,
    erasure_requests,
    member_corrections,
    members,
)
from shared.db.unit_of_work import UnitOfWork
from shared.events.tiering import MemberErased, MemberErasureStarted
from shared.rule_violations import NotFound

LIVE = erasure_requests.c.status != "cancelled"


class NoErasureRequest(NotFound):
    def __init__(self, member_id: str) -> None:
        super().__init__("no_erasure_request", f"No erasure was requested for {member_id}.")


async def request_erasure(uow: UnitOfWork, member_id: str, actor: str, reason: str,
                          cooling_off_days: int) -> tuple[uuid.UUID, bool]:
    """The member's live request (False) or a new one (True); one with no cooling-off
    starts in this transaction."""
    db, now = uow.connection, uow.clock.now()
    if await lock_member(db, member_id) is None:
        raise MemberNotFound(f"No member {member_id}.")
    live = (await db.execute(select(erasure_requests.c.request_id).where(
        erasure_requests.c.member_id == member_id, LIVE))).scalar()
    if live is not None:
        return live, False
    request_id = uuid.uuid4()
    await db.execute(insert(erasure_requests).values(
        request_id=request_id, member_id=member_id, reason=reason, status="cooling_off",
        requested_by=actor, requested_at=now, erase_at=erase_at(now, cooling_off_days)))
    await _audit(db, request_id, member_id, "requested", actor, now)
    if cooling_off_days == 0:
        await start_erasure(uow, await _request(db, request_id))
    return request_id, True


async def cancel_erasure(uow: UnitOfWork, member_id: str, actor: str) -> uuid.UUID:
    db, now = uow.connection, uow.clock.now()
    await lock_member(db, member_id)
    live = await _live_request(db, member_id)
    if live is None:
        raise NoErasureRequest(member_id)
    check_cancellable(live.status)
    await db.execute(update(erasure_requests).where(
        erasure_requests.c.request_id == live.request_id).values(
        status="cancelled", cancelled_at=now, cancelled_by=actor))
    await _audit(db, live.request_id, member_id, "cancelled", actor, now)
    return live.request_id


async def start_erasure(uow: UnitOfWork, request: Row) -> None:
    """Erase tiering's part (the member row is locked by the caller) and ask every other
    service to erase theirs."""
    db, now = uow.connection, uow.clock.now()
    await db.execute(update(members).where(members.c.member_id == request.member_id).values(
        phone=None, email=None, birthday=None, birthday_celebrated_in=None,
        member_number=f"erased-{uuid.uuid4().hex}"))
    for table in (data_export_parts, member_corrections):
        await db.execute(delete(table).where(table.c.member_id == request.member_id))
    await db.execute(update(erasure_requests).where(
        erasure_requests.c.request_id == request.request_id).values(status="erasing",
                                                                    started_at=now))
    await db.execute(insert(erasure_confirmations).values(
        request_id=request.request_id, service="tiering", confirmed_at=now))
    await _audit(db, request.request_id, request.member_id, "started", "tiering", now)
    uow.emit(MemberErasureStarted(member_id=request.member_id, occurred_at=now,
                                  request_id=request.request_id, reason=request.reason))


async def start_due_erasures(uow: UnitOfWork, now: datetime, limit: int) -> int:
    """Start the requests whose cooling-off has ended (a batch; the job runs it again).
    The member's row is locked before the request is read again, as a cancellation locks
    them, so the two never wait on each other in a cycle; the job's leader lock keeps
    replicas apart."""
    db = uow.connection
    due = (await db.execute(select(erasure_requests.c.request_id, erasure_requests.c.member_id)
                            .where(erasure_requests.c.status == "cooling_off",
                                   erasure_requests.c.erase_at <= now)
                            .order_by(erasure_requests.c.erase_at).limit(limit))).all()
    for request_id, member_id in due:
        await lock_member(db, member_id)
        request = await _request(db, request_id)
        if request.status == "cooling_off":  # not cancelled while we waited for the lock
            await start_erasure(uow, request)
    return len(due)


async def record_confirmation(uow: UnitOfWork, request_id: uuid.UUID, member_id: str,
                              service: str, causation: dict) -> None:
    """A service confirmed its part; the last confirmation completes the request."""
    db, now = uow.connection, uow.clock.now()
    await lock_member(db, member_id)
    request = await _request(db, request_id)
    if request is None:
        return  # not ours (another deployment's request id): nothing to complete
    await db.execute(pg_insert(erasure_confirmations).values(
        request_id=request_id, service=service, confirmed_at=now).on_conflict_do_nothing())
    confirmed = await _confirmed(db, request_id)
    if request.status == "erasing" and is_complete(confirmed):
        await db.execute(update(erasure_requests).where(
            erasure_requests.c.request_id == request_id).values(status="completed",
                                                                completed_at=now))
        await _audit(db, request_id, request.member_id, "completed", "tiering", now)
        uow.emit(MemberErased(**causation, occurred_at=now, request_id=request_id,
                              reason=request.reason, services=ERASING_SERVICES))


async def erasure_view(db: AsyncConnection, member_id: str) -> dict:
    """The member's live request, or else their latest cancelled one, with its progress."""
    row = await _live_request(db, member_id) or (await db.execute(
        select(erasure_requests).where(erasure_requests.c.member_id == member_id)
        .order_by(erasure_requests.c.requested_at.desc()).limit(1))).first()
    if row is None:
        raise NoErasureRequest(member_id)
    confirmed = {r.service: r.confirmed_at for r in await db.execute(
        select(erasure_confirmations).where(erasure_confirmations.c.request_id == row.request_id))}
    return {**row._mapping, "confirmations": [
        {"service": service, "confirmed_at": confirmed.get(service)}
        for service in ERASING_SERVICES]}


async def _confirmed(db: AsyncConnection, request_id: uuid.UUID) -> list[str]:
    return list((await db.execute(select(erasure_confirmations.c.service).where(
        erasure_confirmations.c.request_id == request_id))).scalars())


async def _request(db: AsyncConnection, request_id: uuid.UUID) -> Row | None:
    return (await db.execute(select(erasure_requests).where(
        erasure_requests.c.request_id == request_id))).first()


async def _live_request(db: AsyncConnection, member_id: str) -> Row | None:
    return (await db.execute(select(erasure_requests).where(
        erasure_requests.c.member_id == member_id, LIVE))).first()


async def _audit(db: AsyncConnection, request_id: uuid.UUID, member_id: str, action: str,
                 actor: str, now: datetime) -> None:
    await db.execute(insert(erasure_actions).values(
        request_id=request_id, member_id=member_id, action=action, actor=actor, at=now))
