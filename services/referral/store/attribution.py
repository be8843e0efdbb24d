"""Attribution: an enrolment's code (or an operator, late) names the invitee's referrer.

First valid code wins (one referral per invitee, the unique index makes it so); a code
that cannot make a referral is recorded with its reason, never fatal to the consumer.
The registration-time abuse signals (same phone or device, ring, burst) are kept on the
referral as flags and judged when it qualifies. Spends recorded before the attribution
(wallet's events may arrive before tiering's, or ops attribute late) are looked at at
once, so the invitee's first qualifying spend is never missed."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import text

from services.referral.rules import abuse
from services.referral.rules.codes import normalise
from services.referral.rules.programs import Program
from services.referral.rules.qualification import qualify_by
from services.referral.store import codes, members, programs, qualification, referrals
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralRegistered

Row = Mapping[str, Any]


async def attribute(uow: UnitOfWork, invitee_id: str, typed_code: str, enrolled_at: datetime,
                    default: Program, envelope: dict, actor: str = "enrolment"
                    ) -> tuple[Row | None, str | None]:
    """(the referral, None) or (None, the reason there is none)."""
    db, code = uow.connection, normalise(typed_code)
    await referrals.lock_invitee(db, invitee_id)
    found = await codes.find(db, code)
    owner = found["member_id"] if found is not None else None
    if owner is not None:
        await referrals.lock_referrer(db, owner)
    refusal = abuse.attribution_refusal(
        owner, found is not None and found["status"] == "active", invitee_id,
        await referrals.of_invitee(db, invitee_id) is not None)
    if refusal is not None or owner is None:
        refusal = refusal or "unknown_code"
        await db.execute(text("""
            INSERT INTO attribution_refusals (invitee_id, code, reason, at)
            VALUES (:m, :c, :r, :at) ON CONFLICT (invitee_id) DO NOTHING
        """), {"m": invitee_id, "c": code, "r": refusal, "at": uow.clock.now()})
        return None, refusal
    program = await programs.in_force(db, default)
    referral = await _register(uow, owner, invitee_id, code, enrolled_at, program, actor)
    uow.emit(ReferralRegistered(
        **{**envelope, "member_id": referral["referrer_id"]}, occurred_at=uow.clock.now(),
        referral_id=referral["referral_id"], referrer_id=referral["referrer_id"],
        invitee_id=invitee_id, code=code, program_version=program.version,
        attributed_by=None if actor == "enrolment" else actor))
    for spend in await members.spends_of(db, invitee_id):
        referral = await qualification.consider(uow, referral, spend, default, envelope)
    return referral, None


async def _register(uow: UnitOfWork, referrer_id: str, invitee_id: str, code: str,
                    enrolled_at: datetime, program: Program, actor: str) -> Row:
    db, now = uow.connection, uow.clock.now()
    flags = abuse.reasons(await _signals(uow, referrer_id, invitee_id, code, program))
    referral_id = f"ref_{uuid.uuid4().hex[:20]}"
    row = (await db.execute(text("""
        INSERT INTO referrals (referral_id, referrer_id, invitee_id, code, program_version,
            status, flags, enrolled_at, registered_at, qualify_by, attributed_by)
        VALUES (:id, :referrer, :invitee, :code, :version, 'registered',
            CAST(:flags AS jsonb), :enrolled, :now, :by, :actor) RETURNING *
    """), {"id": referral_id, "referrer": referrer_id, "invitee": invitee_id, "code": code,
           "version": program.version, "flags": orjson.dumps(list(flags)).decode(),
           "enrolled": enrolled_at, "now": now, "by": qualify_by(enrolled_at, program),
           "actor": None if actor == "enrolment" else actor})).mappings().one()
    await referrals.record_decision(db, referral_id, "registered", flags, actor, now)
    return row


async def _signals(uow: UnitOfWork, referrer_id: str, invitee_id: str, code: str,
                   program: Program) -> abuse.Signals:
    db = uow.connection
    referrer, invitee = await members.member(db, referrer_id), await members.member(db, invitee_id)

    def same(field: str) -> bool:
        return bool(referrer and invitee and invitee[field] and referrer[field] == invitee[field])

    chain = await referrals.referrer_chain(db, referrer_id, abuse.RING_DEPTH)
    since = uow.clock.now() - timedelta(minutes=program.burst_minutes)
    on_code = await referrals.registered_on_code_since(db, code, since) + 1  # this one
    return abuse.Signals(same_phone=same("phone_hash"), same_device=same("device_hash"),
                         ring=abuse.forms_ring(chain, invitee_id),
                         burst=abuse.is_burst(on_code, program))
