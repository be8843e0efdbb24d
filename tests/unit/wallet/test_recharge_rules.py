import pytest

from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.recharges import (
    StoredValueLimits,
    check_recharge_request,
    check_stored_value,
)
from shared.money import Money
from shared.rule_violations import RuleViolation

LIMITS = StoredValueLimits(currencies=frozenset({"CNY"}), max_recharge=500_000, max_balance=500_000)


def check_recharge(amount: Money, stored_before: int, limits: StoredValueLimits) -> None:
    """What the hot path checks, in its order: the request alone in Python, then the
    stored value against the balance (in the stored function, tested against this rule)."""
    check_recharge_request(amount, limits)
    check_stored_value(amount, stored_before, limits)


def refusal(amount: Money, stored_before: int = 0) -> str:
    with pytest.raises(RuleViolation) as refused:
        check_recharge(amount, stored_before, LIMITS)
    return refused.value.code


def test_stored_value_up_to_5000_yuan_is_accepted():
    check_recharge(Money(500_000, "CNY"), 0, LIMITS)
    check_recharge(Money(1, "CNY"), 499_999, LIMITS)


def test_one_fen_over_5000_yuan_is_refused():
    assert refusal(Money(500_001, "CNY")) == "recharge_above_limit"
    assert refusal(Money(2, "CNY"), stored_before=499_999) == "balance_limit_exceeded"


def test_other_currencies_are_refused():
    assert refusal(Money(100, "USD")) == "unsupported_currency"


def test_non_positive_amounts_are_refused():
    assert refusal(Money(0, "CNY")) == "amount_not_positive"
    assert refusal(Money(-5, "CNY")) == "amount_not_positive"


def test_a_recharge_entry_balances():
    lines = recharge_lines("m1", 12_345)
    assert sum(line.amount for line in lines) == 0
    assert {line.account for line in lines} == {"merchant_clearing", "member_principal"}
