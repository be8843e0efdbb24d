"""The wallet's money math: draw policies, exact allocation, pro-rata recharge refunds,
cumulative purchase refunds and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.wallet.rules.entries import (
    adjustment_lines,
    bonus_credit_lines,
    expiry_lines,
    purchase_lines,
    purchase_refund_lines,
    recharge_refund_lines,
)
from services.wallet.rules.lots import (
    BONUS,
    PRINCIPAL,
    DrawPolicy,
    InsufficientBalance,
    Lot,
    allocate,
    due_lots,
    plan_draws,
    split_by_policy,
)
from services.wallet.rules.refunds import PaidDraw, purchase_refund, recharge_refund
from shared.rule_violations import RuleViolation

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def test_pay_500_get_80_then_spend_290_refunds_250():
    refund = recharge_refund(50_000, 8_000, consumed=29_000, principal_remaining=25_000,
                             bonus_remaining=4_000)
    assert refund.cash == 25_000
    assert refund.clawed_back == 4_000


def test_an_untouched_recharge_refunds_its_whole_principal_and_voids_its_bonus():
    refund = recharge_refund(50_000, 8_000, 0, 50_000, 8_000)
    assert (refund.cash, refund.clawed_back) == (50_000, 8_000)


def test_refund_is_capped_by_what_is_left_when_bonus_expired():
    refund = recharge_refund(10_000, 10_000, consumed=10_000, principal_remaining=0, bonus_remaining=0)
    assert refund.cash == 0


@given(p=st.integers(1, 10**7), b=st.integers(0, 10**7), data=st.data())
def test_recharge_refund_never_exceeds_principal_nor_pays_bonus(p, b, data):
    consumed = data.draw(st.integers(0, p + b))
    left = p + b - consumed
    r_p = data.draw(st.integers(max(0, left - b), min(p, left)))
    refund = recharge_refund(p, b, consumed, r_p, left - r_p)
    assert 0 <= refund.cash <= p
    assert refund.cash <= p * (p + b - consumed) / (p + b)
    assert refund.cash + refund.clawed_back == left
    assert balanced(recharge_refund_lines("m", refund.principal_released, refund.bonus_released,
                                             refund.cash, refund.clawed_back))


@given(amount=st.integers(0, 10**9), weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_allocation_is_exact_and_within_weights(amount, weights):
    if sum(weights) == 0:
        amount = 0
    amount = min(amount, sum(weights))
    parts = allocate(amount, weights)
    assert sum(parts) == amount
    assert all(0 <= part <= weight for part, weight in zip(parts, weights, strict=True))


@given(amount=st.integers(0, 10**6), principal=st.integers(0, 10**6), bonus=st.integers(0, 10**6),
       policy=st.sampled_from(list(DrawPolicy)))
def test_every_policy_splits_within_both_balances(amount, principal, bonus, policy):
    amount = min(amount, principal + bonus)
    from_p, from_b = split_by_policy(amount, principal, bonus, policy)
    assert from_p + from_b == amount and 0 <= from_p <= principal and 0 <= from_b <= bonus


def test_proportional_draw_takes_principal_and_bonus_in_proportion():
    lots = [Lot("p", PRINCIPAL, 50_000), Lot("b", BONUS, 8_000, NOW + timedelta(days=30))]
    draws = plan_draws(lots, 29_000, DrawPolicy.PROPORTIONAL, NOW)
    assert {(d.lot_id, d.amount) for d in draws} == {("p", 25_000), ("b", 4_000)}


def test_within_a_kind_the_soonest_expiring_lot_pays_first():
    lots = [Lot("late", BONUS, 100, NOW + timedelta(days=90), seq=1),
            Lot("never", BONUS, 100, None, seq=0),
            Lot("soon", BONUS, 100, NOW + timedelta(days=3), seq=2)]
    draws = plan_draws(lots, 250, DrawPolicy.BONUS_FIRST, NOW)
    assert [(d.lot_id, d.amount) for d in draws] == [("soon", 100), ("late", 100), ("never", 50)]


def test_principal_first_and_bonus_first():
    lots = [Lot("p", PRINCIPAL, 100), Lot("b", BONUS, 100)]
    assert [(d.lot_id, d.amount) for d in plan_draws(lots, 150, DrawPolicy.PRINCIPAL_FIRST, NOW)] == [
        ("p", 100), ("b", 50)]
    assert [(d.lot_id, d.amount) for d in plan_draws(lots, 150, DrawPolicy.BONUS_FIRST, NOW)] == [
        ("p", 50), ("b", 100)]


def test_insufficient_balance_is_refused_and_due_lots_do_not_pay():
    lots = [Lot("p", PRINCIPAL, 100), Lot("b", BONUS, 100, NOW - timedelta(seconds=1))]
    with pytest.raises(InsufficientBalance) as refused:
        plan_draws(lots, 101, DrawPolicy.PROPORTIONAL, NOW)
    assert refused.value.code == "insufficient_balance"
    assert [lot.lot_id for lot in due_lots(lots, NOW)] == ["b"]


def test_purchase_refunds_are_cumulative_and_return_every_unit_in_the_end():
    draws = [PaidDraw("p", PRINCIPAL, 333), PaidDraw("b", BONUS, 334)]
    first = purchase_refund(1_000, 0, 0, 1, draws)
    assert first.stored_value == 0
    draws = [PaidDraw("p", PRINCIPAL, 333), PaidDraw("b", BONUS, 334)]
    rest = purchase_refund(1_000, 1, 0, 999, draws)
    assert rest.stored_value == 667
    assert (rest.returned_principal, rest.returned_bonus) == (333, 334)


def test_a_refund_above_what_is_left_is_refused():
    with pytest.raises(RuleViolation) as refused:
        purchase_refund(1_000, 600, 0, 401, [])
    assert refused.value.code == "refund_exceeds_purchase"


def test_bonus_of_a_voided_lot_is_forfeited_on_purchase_refund():
    draws = [PaidDraw("p", PRINCIPAL, 500), PaidDraw("b", BONUS, 500, accepts_returns=False)]
    plan = purchase_refund(1_000, 0, 0, 1_000, draws)
    assert (plan.returned_principal, plan.returned_bonus, plan.forfeited) == (500, 0, 500)


@given(p=st.integers(0, 10**6), b=st.integers(0, 10**6), o=st.integers(0, 10**6),
       d=st.integers(-10**6, 10**6))
def test_every_entry_balances(p, b, o, d):
    for lines in (bonus_credit_lines("m", b), purchase_lines("m", p, b, o),
                  purchase_refund_lines("m", p, b, o), expiry_lines("m", b),
                  adjustment_lines("m", d, -d // 2)):
        assert balanced(lines)
        assert all(line.amount for line in lines)


def balanced(lines) -> bool:
    return sum(line.amount for line in lines) == 0
