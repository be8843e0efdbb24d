import pytest

from services.wallet.rules.entries import recharge_lines
from services.wallet.rules.recharges import (
    StoredValueLimits,
    check_caps,
    check_recharge_request,
    limits_in_force,
)
from shared.money import Money
from shared.rule_violations import RuleViolation

LIMITS = StoredValueLimits(currencies=frozenset({"CNY"}), max_recharge=500_000, max_balance=500_000)


def check_recharge(amount: Money, stored_before: int, limits: StoredValueLimits,
                   kind="registered") -> None:
    """What the hot path checks, in its order: the request alone in Python, then the
    kind's caps against the balance (in the stored function, tested against this rule)."""
    check_recharge_request(amount, limits)
    check_caps(amount, kind, stored_before, limits)


def refused(amount: Money, stored_before: int = 0, kind="registered") -> RuleViolation:
    with pytest.raises(RuleViolation) as refusal_raised:
        check_recharge(amount, stored_before, LIMITS, kind)
    return refusal_raised.value


def refusal(amount: Money, stored_before: int = 0, kind="registered") -> str:
    return refused(amount, stored_before, kind).code


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


def test_an_unregistered_card_is_capped_at_1000_yuan_per_recharge_and_balance():
    check_recharge(Money(100_000, "CNY"), 0, LIMITS, "card")
    check_recharge(Money(1, "CNY"), 99_999, LIMITS, "card")
    above = refused(Money(100_001, "CNY"), kind="card")
    assert above.code == "recharge_above_limit"
    assert "unregistered card" in above.detail and "1000.00" in above.detail.replace(",", "")
    over = refused(Money(2, "CNY"), stored_before=99_999, kind="card")
    assert over.code == "balance_limit_exceeded" and "(the card cap)" in over.detail


def test_the_registered_refusals_name_the_registered_cap():
    assert "(the registered cap)" in refused(Money(500_001, "CNY")).detail
    assert "(the registered cap)" in refused(Money(2, "CNY"), stored_before=499_999).detail


def test_room_left_is_the_largest_amount_the_caps_accept():
    for kind in ("registered", "card"):
        for stored in (0, 1, 40_000, 99_999, 100_000, 100_001, 450_000, 500_000, 600_000):
            room = limits_in_force(kind, stored, LIMITS).room_left
            assert room >= 0
            if room:
                check_caps(Money(room, "CNY"), kind, stored, LIMITS)
            with pytest.raises(RuleViolation):
                check_caps(Money(room + 1, "CNY"), kind, stored, LIMITS)


def test_limits_in_force_show_the_kind_caps_and_balance():
    card = limits_in_force("card", 30_000, LIMITS)
    assert (card.card_kind, card.max_recharge, card.max_balance, card.balance, card.room_left) \
        == ("card", 100_000, 100_000, 30_000, 70_000)
    registered = limits_in_force("registered", 30_000, LIMITS)
    assert (registered.max_recharge, registered.max_balance, registered.room_left) \
        == (500_000, 500_000, 470_000)
