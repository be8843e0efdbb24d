"""Qualification windows and thresholds at their edges; the clawback window; programs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.referral.rules.programs import Program, check_program
from services.referral.rules.qualification import (
    Spend,
    points_worth,
    qualify_by,
    refund_revokes,
    why_not_qualifying,
)
from services.referral.settings import ReferralSettings
from shared.rule_violations import RuleViolation

ENROLLED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PROGRAM = ReferralSettings().default_program()  # 100.00 within 30 days, either kind


def spend(amount: int = 10_000, at: datetime = ENROLLED, kind: str = "recharge",
          currency: str = "CNY") -> Spend:
    return Spend(kind, "r-1", "m_b", amount, currency, at, uuid.uuid4())


def test_the_threshold_counts_from_exactly_the_minimum():
    assert why_not_qualifying(spend(10_000), ENROLLED, PROGRAM) is None
    assert why_not_qualifying(spend(9_999), ENROLLED, PROGRAM) == "below_minimum"


def test_the_window_closes_after_its_last_microsecond():
    deadline = qualify_by(ENROLLED, PROGRAM)
    assert deadline == ENROLLED + timedelta(days=30)
    assert why_not_qualifying(spend(at=deadline), ENROLLED, PROGRAM) is None
    late = spend(at=deadline + timedelta(microseconds=1))
    assert why_not_qualifying(late, ENROLLED, PROGRAM) == "window_closed"
    early = spend(at=ENROLLED - timedelta(microseconds=1))
    assert why_not_qualifying(early, ENROLLED, PROGRAM) == "before_enrolment"


def test_only_the_kinds_and_currency_the_program_names_qualify():
    recharges_only = replace(PROGRAM, qualifies_on=("recharge",))
    assert why_not_qualifying(spend(kind="purchase"), ENROLLED, recharges_only) \
        == "purchase_does_not_qualify"
    assert why_not_qualifying(spend(currency="USD"), ENROLLED, PROGRAM) == "other_currency"


def test_a_refund_revokes_only_within_the_clawback_window_and_below_the_minimum():
    qualified = ENROLLED + timedelta(days=1)
    last_day = qualified + timedelta(days=PROGRAM.clawback_days)
    assert refund_revokes(10_000, 1, qualified, last_day, PROGRAM)
    assert not refund_revokes(10_000, 1, qualified, last_day + timedelta(seconds=1), PROGRAM)
    assert not refund_revokes(30_000, 20_000, qualified, qualified, PROGRAM)  # 100.00 left
    assert refund_revokes(30_000, 20_001, qualified, qualified, PROGRAM)


def test_the_referrer_points_are_worth_a_share_of_the_amount_in_integers():
    assert points_worth(100_000, 1_000) == 10_000
    assert points_worth(9_999, 1_000) == 999  # rounded down, never a float


def test_a_program_version_that_rewards_nobody_or_breaks_a_bound_is_refused():
    with pytest.raises(RuleViolation) as refused:
        check_program(replace(PROGRAM, referrer_coupon_template=None,
                              invitee_coupon_template=None, referrer_points_bps=0))
    assert refused.value.code == "invalid_program"
    with pytest.raises(RuleViolation):
        check_program(replace(PROGRAM, qualifies_on=("gift",)))
    assert check_program(replace(PROGRAM, version=3)).version == 3


def test_a_referral_keeps_the_version_it_was_registered_under():
    # versioning is data: the decision reads the referral's version, so a stricter
    # version 2 does not change what version 1 let qualify
    v1 = PROGRAM
    v2 = Program(**{**v1.__dict__, "version": 2, "min_amount": 50_000})
    assert why_not_qualifying(spend(10_000), ENROLLED, v1) is None
    assert why_not_qualifying(spend(10_000), ENROLLED, v2) == "below_minimum"


def test_settings_refuse_a_default_program_that_rewards_nobody():
    with pytest.raises(ValidationError, match="reward at least one side"):
        ReferralSettings(referrer_coupon_template=None, invitee_coupon_template=None,
                         referrer_points_bps=0)
