"""When an invitee's spending qualifies their referral, and when a refund revokes it.

A referral qualifies on the invitee's first purchase or recharge (as the program allows)
of at least `min_amount` in the program's currency, made no later than `window_days`
after enrolment: a spend exactly at the deadline still counts, one a microsecond later
does not. A refund of the qualifying spend within `clawback_days` of the qualification
that leaves less than `min_amount` of it revokes the referral.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from services.referral.rules.programs import Program


@dataclass(frozen=True)
class Spend:
    kind: str  # purchase | recharge
    source_id: str
    member_id: str
    amount: int
    currency: str
    at: datetime
    event_id: UUID
    payment_reference: str | None = None


def qualify_by(enrolled_at: datetime, program: Program) -> datetime:
    return enrolled_at + timedelta(days=program.window_days)


def why_not_qualifying(spend: Spend, enrolled_at: datetime, program: Program) -> str | None:
    """None when `spend` qualifies, else the reason it does not (for the audit trail)."""
    if spend.kind not in program.qualifies_on:
        return f"{spend.kind}_does_not_qualify"
    if spend.currency != program.currency:
        return "other_currency"
    if spend.amount < program.min_amount:
        return "below_minimum"
    if spend.at < enrolled_at:
        return "before_enrolment"
    if spend.at > qualify_by(enrolled_at, program):
        return "window_closed"
    return None


def refund_revokes(qualifying_amount: int, refunded_so_far: int, qualified_at: datetime,
                   refunded_at: datetime, program: Program) -> bool:
    within = refunded_at <= qualified_at + timedelta(days=program.clawback_days)
    return within and qualifying_amount - refunded_so_far < program.min_amount


def points_worth(qualifying_amount: int, referrer_points_bps: int) -> int:
    """Minor units the referrer's points are worth; rounded down, integers only."""
    return qualifying_amount * referrer_points_bps // 10_000
