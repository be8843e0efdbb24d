"""Referral rows: the referrer's lock, reads, the audit trail of decisions, and the
events each decision emits (their envelope `member_id` is always the referrer)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from services.referral.rules.programs import Program
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralClosed, ReferralQualified

Row = Mapping[str, Any]


async def lock_referrer(db: AsyncConnection, referrer_id: str) -> None:
    """Every transaction that emits events about a referrer takes this first, so their
    referral events enter the outbox in order and their monthly cap is counted alone."""
    await db.execute(text(
        "SELECT pg_advisory_xact_lock(hashtext('referral.member'), hashtext(:m))"),
        {"m": referrer_id})


async def lock_invitee(db: AsyncConnection, invitee_id: str) -> None:
    """Taken before the referrer's lock by attribution and by every spend: a spend and the
    attribution of the same member (two topics, maybe two replicas) then never miss each
    other, whichever commits first."""
    await db.execute(text(
        "SELECT pg_advisory_xact_lock(hashtext('referral.invitee'), hashtext(:m))"),
        {"m": invitee_id})


async def of_invitee(db: AsyncConnection, invitee_id: str) -> Row | None:
    return (await db.execute(text("SELECT * FROM referrals WHERE invitee_id = :m"),
                             {"m": invitee_id})).mappings().first()


async def by_id(db: AsyncConnection, referral_id: str) -> Row | None:
    return (await db.execute(text("SELECT * FROM referrals WHERE referral_id = :r"),
                             {"r": referral_id})).mappings().first()


async def by_qualifying_source(db: AsyncConnection, kind: str, source_id: str) -> Row | None:
    return (await db.execute(text("""
        SELECT * FROM referrals WHERE qualifying_kind = :k AND qualifying_source_id = :s
    """), {"k": kind, "s": source_id})).mappings().first()


async def referrer_chain(db: AsyncConnection, member_id: str, depth: int) -> list[str]:
    """The member's referrer, that one's referrer, ... nearest first, up to `depth`."""
    rows = await db.execute(text("""
        WITH RECURSIVE chain(member_id, hops) AS (
            SELECT referrer_id, 1 FROM referrals WHERE invitee_id = :m
            UNION ALL
            SELECT r.referrer_id, c.hops + 1 FROM referrals r
            JOIN chain c ON r.invitee_id = c.member_id WHERE c.hops < :depth
        ) SELECT member_id FROM chain ORDER BY hops
    """), {"m": member_id, "depth": depth})
    return list(rows.scalars())


async def registered_on_code_since(db: AsyncConnection, code: str, since: datetime) -> int:
    return int((await db.execute(text("""
        SELECT count(*) FROM referrals WHERE code = :c AND registered_at >= :since
    """), {"c": code, "since": since})).scalar_one())


async def rewarded_in_month(db: AsyncConnection, referrer_id: str, moment: datetime) -> int:
    """Referrals of this referrer rewarded in `moment`'s calendar month (UTC)."""
    return int((await db.execute(text("""
        SELECT count(*) FROM referrals WHERE referrer_id = :m AND status = 'qualified'
          AND date_trunc('month', qualified_at AT TIME ZONE 'UTC')
            = date_trunc('month', CAST(:at AS timestamptz) AT TIME ZONE 'UTC')
    """), {"m": referrer_id, "at": moment})).scalar_one())


async def record_decision(db: AsyncConnection, referral_id: str, decision: str,
                          reasons: Sequence[str], actor: str, at: datetime,
                          note: str | None = None) -> None:
    await db.execute(text("""
        INSERT INTO decisions (referral_id, decision, reasons, actor, note, at)
        VALUES (:r, :d, CAST(:reasons AS jsonb), :actor, :note, :at)
    """), {"r": referral_id, "d": decision, "reasons": orjson.dumps(list(reasons)).decode(),
           "actor": actor, "note": note, "at": at})


async def decisions_of(db: AsyncConnection, referral_id: str) -> list[dict]:
    rows = (await db.execute(text("""
        SELECT decision, reasons, actor, note, at FROM decisions
        WHERE referral_id = :r ORDER BY decision_id
    """), {"r": referral_id})).mappings().all()
    return [dict(r) for r in rows]


def emit_qualified(uow: UnitOfWork, referral: Row, program: Program, envelope: dict,
                   approved_by: str | None = None) -> None:
    uow.emit(ReferralQualified(
        **{**envelope, "member_id": referral["referrer_id"]}, occurred_at=uow.clock.now(),
        referral_id=referral["referral_id"], referrer_id=referral["referrer_id"],
        invitee_id=referral["invitee_id"], qualifying_event_id=referral["qualifying_event_id"],
        qualifying_amount=referral["qualifying_amount"], currency=referral["currency"],
        qualifying_kind=referral["qualifying_kind"],
        qualifying_source_id=referral["qualifying_source_id"],
        program_version=program.version,
        referrer_coupon_template=program.referrer_coupon_template,
        invitee_coupon_template=program.invitee_coupon_template,
        referrer_points_bps=program.referrer_points_bps, approved_by=approved_by))


def emit_closed(uow: UnitOfWork, referral: Row, outcome: str, reasons: list[str],
                decided_by: str, envelope: dict | None = None) -> None:
    """ReferralClosed: the referral ended without a reward (rejected, capped, expired, or
    revoked while held), so subscribers stop counting it as pending."""
    uow.emit(ReferralClosed(
        **{**(envelope or {}), "member_id": referral["referrer_id"]},
        occurred_at=uow.clock.now(), referral_id=referral["referral_id"],
        referrer_id=referral["referrer_id"], invitee_id=referral["invitee_id"],
        outcome=outcome, reasons=tuple(reasons), decided_by=decided_by))
