"""The fraud screen that runs before every bonus: one function per rule, each returning a
`Reason` when it fires or None, and a risk score that turns the reasons into an outcome.

Pure: the history a rule needs is counted by the caller (index-backed range queries over
rewards' own projections) and handed in as `RechargeHistory`. Every count *includes* the
recharge being screened, so a threshold reads as "at most N in the window".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

Outcome = Literal["approve", "hold", "reject"]


@dataclass(frozen=True)
class FraudThresholds:
    member_velocity_max: int = 3          # recharges per member per window
    member_velocity_minutes: int = 10
    terminal_velocity_max: int = 20       # recharges per terminal per window
    terminal_velocity_minutes: int = 10
    large_multiple: int = 5               # amount > 5 x the member's average so far
    large_min_history: int = 3            # ... once the member has this many recharges
    new_member_large_first: int = 300_000  # a first recharge this large (minor units)
    reference_max_members: int = 2        # members funded by one payment reference
    reference_window_hours: int = 24
    refunds_after_bonus_max: int = 1      # bonus-bearing recharges refunded (lookback)
    refund_lookback_days: int = 90
    near_rung_margin_bps: int = 500       # "just under": within 5 % below a rung
    near_rung_max: int = 3                # just-under recharges in the window
    near_rung_window_days: int = 7
    hold_score: int = 30
    reject_score: int = 80
    weights: dict[str, int] = field(default_factory=lambda: {
        "member_velocity": 40, "terminal_velocity": 40, "large_vs_history": 30,
        "new_member_large_first": 40, "shared_payment_reference": 60,
        "refund_after_bonus": 50, "just_under_rung": 30,
    })


@dataclass(frozen=True)
class RechargeHistory:
    amount: int
    is_first_recharge: bool
    member_recent: int = 1          # member's recharges in the velocity window
    terminal_recent: int = 1        # terminal's recharges in its window
    prior_count: int = 0            # member's recharges before this one (all time)
    prior_total: int = 0            # their sum
    members_on_reference: int = 1   # distinct members on this payment reference (window)
    refunds_after_bonus: int = 0    # member's refunded recharges that had a bonus (lookback)
    recent_amounts: tuple[int, ...] = ()  # member's amounts in the near-rung window, this one included
    rung_thresholds: tuple[int, ...] = ()
    # what is counted: a purchase's cash-back is screened on the member's and the terminal's
    # cash-back-bearing purchases (store/spend_screen.py), with the same rules and weights
    counted: str = "recharges"


@dataclass(frozen=True)
class Reason:
    rule: str
    detail: str


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reasons: tuple[Reason, ...]
    risk_score: int


Rule = Callable[[RechargeHistory, FraudThresholds], Reason | None]


def member_velocity(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.member_recent > t.member_velocity_max:
        return Reason("member_velocity", f"{h.member_recent} {h.counted} by this member in "
                      f"{t.member_velocity_minutes} min (max {t.member_velocity_max})")
    return None


def terminal_velocity(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.terminal_recent > t.terminal_velocity_max:
        return Reason("terminal_velocity", f"{h.terminal_recent} {h.counted} on this terminal in "
                      f"{t.terminal_velocity_minutes} min (max {t.terminal_velocity_max})")
    return None


def large_vs_history(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.prior_count < t.large_min_history:
        return None
    # amount > multiple x average, in integers: amount x count > multiple x total
    if h.amount * h.prior_count > t.large_multiple * h.prior_total:
        average = h.prior_total // h.prior_count
        return Reason("large_vs_history", f"{h.amount} is more than {t.large_multiple}x this "
                      f"member's average of {average} ({h.counted})")
    return None


def new_member_large_first(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.is_first_recharge and h.amount >= t.new_member_large_first:
        return Reason("new_member_large_first", f"first recharge of {h.amount} "
                      f"(flagged from {t.new_member_large_first})")
    return None


def shared_payment_reference(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.members_on_reference > t.reference_max_members:
        return Reason("shared_payment_reference", f"{h.members_on_reference} members funded by "
                      f"this payment reference in {t.reference_window_hours} h "
                      f"(max {t.reference_max_members})")
    return None


def refund_after_bonus(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if h.refunds_after_bonus > t.refunds_after_bonus_max:
        return Reason("refund_after_bonus", f"{h.refunds_after_bonus} bonus-bearing recharges "
                      f"refunded in {t.refund_lookback_days} days (max {t.refunds_after_bonus_max})")
    return None


def is_just_under_a_rung(amount: int, thresholds: Sequence[int], margin_bps: int) -> bool:
    return any(rung - rung * margin_bps // 10_000 <= amount < rung for rung in thresholds)


def just_under_rung(h: RechargeHistory, t: FraudThresholds) -> Reason | None:
    if not is_just_under_a_rung(h.amount, h.rung_thresholds, t.near_rung_margin_bps):
        return None
    near = sum(is_just_under_a_rung(a, h.rung_thresholds, t.near_rung_margin_bps)
               for a in h.recent_amounts)
    if near >= t.near_rung_max:
        return Reason("just_under_rung", f"{near} recharges just under a bonus rung in "
                      f"{t.near_rung_window_days} days (flagged from {t.near_rung_max})")
    return None


RULES: tuple[Rule, ...] = (
    member_velocity, terminal_velocity, large_vs_history, new_member_large_first,
    shared_payment_reference, refund_after_bonus, just_under_rung,
)


def screen(history: RechargeHistory, thresholds: FraudThresholds) -> Verdict:
    reasons = tuple(r for rule in RULES if (r := rule(history, thresholds)) is not None)
    score = min(100, sum(thresholds.weights.get(r.rule, 0) for r in reasons))
    if score >= thresholds.reject_score:
        return Verdict("reject", reasons, score)
    if score >= thresholds.hold_score:
        return Verdict("hold", reasons, score)
    return Verdict("approve", reasons, score)
