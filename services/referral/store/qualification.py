"""Qualification and clawback in the database: a registered referral meets the invitee's
spends; the first that qualifies is judged (rules/abuse.py) and the verdict recorded with
its reasons: qualified (ReferralQualified), held for review (ReferralHeld) or capped
(ReferralClosed: recorded, not rewarded). A refund of the qualifying spend may revoke it
(ReferralRevoked when it had been rewarded, ReferralClosed when it was held)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import text

from services.referral.rules import abuse
from services.referral.rules.programs import Program
from services.referral.rules.qualification import Spend, refund_revokes, why_not_qualifying
from services.referral.store import members, programs, referrals
from shared.db.unit_of_work import UnitOfWork
from shared.events.referral import ReferralHeld, ReferralRevoked

Row = Mapping[str, Any]
SYSTEM = "referral"


async def consider(uow: UnitOfWork, referral: Row, spend: Spend, default: Program,
                   envelope: dict) -> Row:
    """The referral after `spend` was considered (unchanged unless it qualified)."""
    db = uow.connection
    # expired is bookkeeping: a spend made within the window that arrives late still counts
    if referral["status"] not in ("registered", "expired"):
        return referral
    program = await programs.version(db, referral["program_version"], default)
    if why_not_qualifying(spend, referral["enrolled_at"], program) is not None:
        return referral
    await referrals.lock_referrer(db, referral["referrer_id"])
    found = list(referral["flags"])
    if spend.kind == "recharge" and await members.shares_payment_reference(
            db, referral["referrer_id"], spend.payment_reference):
        found.append("same_payment_reference")
    rewarded = await referrals.rewarded_in_month(db, referral["referrer_id"], spend.at)
    verdict = abuse.verdict(found, rewarded, program)
    now = uow.clock.now()
    updated = (await db.execute(text("""
        UPDATE referrals SET status = :status, qualified_at = :at, decided_at = :now,
            qualifying_kind = :kind, qualifying_source_id = :source,
            qualifying_event_id = :event, qualifying_amount = :amount, currency = :currency
        WHERE referral_id = :id RETURNING *
    """), {"status": verdict, "at": spend.at, "now": now, "kind": spend.kind,
           "source": spend.source_id, "event": spend.event_id, "amount": spend.amount,
           "currency": spend.currency, "id": referral["referral_id"]})).mappings().one()
    reasons = found if verdict == "held" else (["monthly_cap"] if verdict == "capped" else [])
    await referrals.record_decision(db, referral["referral_id"], verdict, reasons, SYSTEM, now)
    if verdict == "qualified":
        referrals.emit_qualified(uow, updated, program, envelope)
    elif verdict == "held":
        uow.emit(ReferralHeld(
            **{**envelope, "member_id": updated["referrer_id"]}, occurred_at=now,
            referral_id=updated["referral_id"], referrer_id=updated["referrer_id"],
            invitee_id=updated["invitee_id"], reasons=tuple(found)))
    elif verdict == "capped":
        referrals.emit_closed(uow, updated, "capped", reasons, SYSTEM, envelope)
    return updated


async def refund(uow: UnitOfWork, kind: str, source_id: str, amount: int, refunded_at: datetime,
                 default: Program, envelope: dict) -> None:
    db = uow.connection
    refunded = await members.record_refund(db, kind, source_id, amount)
    referral = await referrals.by_qualifying_source(db, kind, source_id)
    if refunded is None or referral is None or referral["status"] not in ("qualified", "held"):
        return
    await referrals.lock_referrer(db, referral["referrer_id"])
    program = await programs.version(db, referral["program_version"], default)
    now = uow.clock.now()
    if not refund_revokes(referral["qualifying_amount"], refunded, referral["qualified_at"],
                          refunded_at, program):
        return
    await db.execute(text("""
        UPDATE referrals SET status = 'revoked', decided_at = :now WHERE referral_id = :id
    """), {"now": now, "id": referral["referral_id"]})
    reason = f"qualifying_{kind}_refunded"
    await referrals.record_decision(db, referral["referral_id"], "revoked", [reason], SYSTEM, now)
    if referral["status"] == "qualified":  # a held one was never rewarded: nothing to claw back
        uow.emit(ReferralRevoked(
            **{**envelope, "member_id": referral["referrer_id"]}, occurred_at=now,
            referral_id=referral["referral_id"], reason=reason,
            invitee_id=referral["invitee_id"]))
    else:  # held: it ends unrewarded, which the referrer's page shows
        referrals.emit_closed(uow, referral, "revoked", [reason], SYSTEM, envelope)
