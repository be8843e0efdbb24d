"""Anti-abuse: what makes a qualified referral suspicious (held for review, never
rewarded until an operator approves) and when a referrer has had enough this month
(recorded, not rewarded).

Reasons, each a stable code recorded with the decision:
- same_phone / same_device: the invitee enrolled with the referrer's phone or device hash;
- same_payment_reference: the qualifying recharge was paid with a payment reference the
  referrer has used (one card, one wallet account, one person);
- ring: the invitee is already up the referrer's chain (A→B→A, or A→B→C→A);
- burst: more than `burst_limit` enrolments on one code within `burst_minutes`.
A self-referral by member id never becomes a referral at all (refused at attribution).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from services.referral.rules.programs import Program

RING_DEPTH = 5  # how far up the referrer's chain a ring is looked for
Verdict = Literal["qualified", "held", "capped"]


@dataclass(frozen=True)
class Signals:
    """What the store found about a referral, for the rules to judge."""

    same_phone: bool = False
    same_device: bool = False
    same_payment_reference: bool = False
    ring: bool = False
    burst: bool = False


def attribution_refusal(code_owner: str | None, code_active: bool, invitee_id: str,
                        already_referred: bool) -> str | None:
    """Why an enrolment's code cannot make a referral, or None when it can."""
    if code_owner is None:
        return "unknown_code"
    if not code_active:
        return "inactive_code"
    if code_owner == invitee_id:
        return "self_referral"
    if already_referred:
        return "already_referred"
    return None


def forms_ring(referrer_chain: Sequence[str], invitee_id: str) -> bool:
    """`referrer_chain`: the referrer's referrer, theirs, ... (nearest first)."""
    return invitee_id in referrer_chain[:RING_DEPTH]


def is_burst(registered_on_code_in_window: int, program: Program) -> bool:
    """`registered_on_code_in_window` counts this enrolment too."""
    return registered_on_code_in_window > program.burst_limit


def reasons(signals: Signals) -> tuple[str, ...]:
    named = (("same_phone", signals.same_phone), ("same_device", signals.same_device),
             ("same_payment_reference", signals.same_payment_reference),
             ("ring", signals.ring), ("burst", signals.burst))
    return tuple(name for name, fired in named if fired)


def verdict(found: Sequence[str], rewarded_this_month: int, program: Program) -> Verdict:
    """Suspicion first (an operator must look), then the referrer's monthly cap."""
    if found:
        return "held"
    if rewarded_this_month >= program.monthly_cap:
        return "capped"
    return "qualified"
