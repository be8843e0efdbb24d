"""Referral programs, versioned like offers: each version says what qualifies a referral
(kind, currency, minimum amount, window after enrolment), what each side earns, and the
limits (monthly cap per referrer, bursts on one code, the clawback window). A referral
keeps the version it was registered under, so a new version never rewrites the past."""

from __future__ import annotations

from dataclasses import dataclass

from shared.rule_violations import RuleViolation

KINDS = ("purchase", "recharge")


@dataclass(frozen=True)
class Program:
    version: int
    currency: str
    qualifies_on: tuple[str, ...]
    min_amount: int
    window_days: int
    referrer_coupon_template: str | None
    invitee_coupon_template: str | None
    referrer_points_bps: int
    monthly_cap: int
    burst_limit: int
    burst_minutes: int
    clawback_days: int
    late_attribution_days: int


def check_program(program: Program) -> Program:
    """The program as given, or `invalid_program` with every problem found."""
    problems = []
    if not program.qualifies_on or any(k not in KINDS for k in program.qualifies_on):
        problems.append(f"qualifies_on must be some of {', '.join(KINDS)}")
    if program.min_amount < 1:
        problems.append("min_amount must be at least 1 minor unit")
    if program.window_days < 1:
        problems.append("window_days must be at least 1")
    if not 0 <= program.referrer_points_bps <= 10_000:
        problems.append("referrer_points_bps must be between 0 and 10000")
    for name in ("monthly_cap", "clawback_days", "late_attribution_days"):
        if getattr(program, name) < 0:
            problems.append(f"{name} cannot be negative")
    if program.burst_limit < 1 or program.burst_minutes < 1:
        problems.append("burst_limit and burst_minutes must be at least 1")
    rewards = (program.referrer_coupon_template, program.invitee_coupon_template,
               program.referrer_points_bps)
    if not any(rewards):
        problems.append("a program must reward at least one side")
    if problems:
        raise RuleViolation("invalid_program", "; ".join(problems))
    return program


def next_version(current: Program) -> int:
    return current.version + 1
