"""Each fraud rule at its boundary, and how the risk score turns reasons into an outcome."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.fraud import (
    FraudThresholds,
    RechargeHistory,
    is_just_under_a_rung,
    just_under_rung,
    large_vs_history,
    member_velocity,
    new_member_large_first,
    refund_after_bonus,
    screen,
    shared_payment_reference,
    terminal_velocity,
)

T = FraudThresholds()
CLEAN = RechargeHistory(amount=50_000, is_first_recharge=False, prior_count=5,
                        prior_total=250_000, rung_thresholds=(10_000, 50_000, 100_000))


def test_member_velocity_fires_above_its_maximum():
    assert member_velocity(replace(CLEAN, member_recent=3), T) is None
    assert member_velocity(replace(CLEAN, member_recent=4), T).rule == "member_velocity"


def test_terminal_velocity_fires_above_its_maximum():
    assert terminal_velocity(replace(CLEAN, terminal_recent=20), T) is None
    assert terminal_velocity(replace(CLEAN, terminal_recent=21), T).rule == "terminal_velocity"


def test_large_amount_is_measured_against_the_members_average():
    history = replace(CLEAN, prior_count=3, prior_total=30_000)  # average 10,000
    assert large_vs_history(replace(history, amount=50_000), T) is None
    assert large_vs_history(replace(history, amount=50_001), T).rule == "large_vs_history"


def test_large_amount_needs_enough_history_to_judge():
    assert large_vs_history(replace(CLEAN, amount=10**6, prior_count=2, prior_total=2), T) is None


def test_a_new_member_with_a_large_first_recharge_is_flagged_from_the_threshold():
    first = replace(CLEAN, is_first_recharge=True, prior_count=0, prior_total=0)
    assert new_member_large_first(replace(first, amount=299_999), T) is None
    assert new_member_large_first(replace(first, amount=300_000), T).rule == "new_member_large_first"
    assert new_member_large_first(replace(CLEAN, amount=300_000), T) is None


def test_many_members_on_one_payment_reference():
    assert shared_payment_reference(replace(CLEAN, members_on_reference=2), T) is None
    fired = shared_payment_reference(replace(CLEAN, members_on_reference=3), T)
    assert fired.rule == "shared_payment_reference"


def test_refunds_after_bonus_above_the_maximum():
    assert refund_after_bonus(replace(CLEAN, refunds_after_bonus=1), T) is None
    assert refund_after_bonus(replace(CLEAN, refunds_after_bonus=2), T).rule == "refund_after_bonus"


def test_just_under_a_rung_means_within_the_margin_below_it():
    assert is_just_under_a_rung(47_500, (50_000,), 500)
    assert is_just_under_a_rung(49_999, (50_000,), 500)
    assert not is_just_under_a_rung(47_499, (50_000,), 500)
    assert not is_just_under_a_rung(50_000, (50_000,), 500)


def test_repeated_recharges_just_under_a_rung_fire_from_the_count():
    under = replace(CLEAN, amount=49_000)
    assert just_under_rung(replace(under, recent_amounts=(49_000, 48_000)), T) is None
    fired = just_under_rung(replace(under, recent_amounts=(49_000, 48_000, 49_500)), T)
    assert fired.rule == "just_under_rung"
    assert just_under_rung(replace(CLEAN, recent_amounts=(49_000,) * 5), T) is None


def test_a_clean_recharge_is_approved_with_score_zero():
    assert screen(CLEAN, T) == screen(CLEAN, T)
    verdict = screen(CLEAN, T)
    assert (verdict.outcome, verdict.reasons, verdict.risk_score) == ("approve", (), 0)


def test_one_rule_holds_and_enough_weight_rejects():
    held = screen(replace(CLEAN, member_recent=4), T)
    assert held.outcome == "hold" and held.risk_score == 40
    rejected = screen(replace(CLEAN, member_recent=4, members_on_reference=3), T)
    assert rejected.outcome == "reject" and rejected.risk_score == 100
    assert [r.rule for r in rejected.reasons] == ["member_velocity", "shared_payment_reference"]


def test_thresholds_are_configuration():
    strict = replace(T, member_velocity_max=1, hold_score=50)
    verdict = screen(replace(CLEAN, member_recent=2), strict)
    assert verdict.reasons[0].rule == "member_velocity" and verdict.outcome == "approve"


@given(member_recent=st.integers(1, 10), terminal_recent=st.integers(1, 40),
       on_reference=st.integers(1, 5), refunds=st.integers(0, 4), first=st.booleans(),
       amount=st.integers(1, 10**6))
def test_the_outcome_follows_the_score_and_every_reason_counts(
        member_recent, terminal_recent, on_reference, refunds, first, amount):
    history = replace(CLEAN, amount=amount, is_first_recharge=first, member_recent=member_recent,
                      terminal_recent=terminal_recent, members_on_reference=on_reference,
                      refunds_after_bonus=refunds)
    verdict = screen(history, T)
    assert verdict.risk_score == min(100, sum(T.weights[r.rule] for r in verdict.reasons))
    expected = ("reject" if verdict.risk_score >= T.reject_score
                else "hold" if verdict.risk_score >= T.hold_score else "approve")
    assert verdict.outcome == expected
    assert (verdict.outcome == "approve") == (verdict.reasons == ())  # default weights >= hold
