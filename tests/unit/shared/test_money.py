import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.money import Money, MoneyError, UnknownCurrency

amounts = st.integers(min_value=-(10**15), max_value=10**15)


def test_adding_same_currency_adds_minor_units():
    assert Money(150, "CNY") + Money(250, "CNY") == Money(400, "CNY")


def test_mixing_currencies_is_refused():
    with pytest.raises(MoneyError, match="currency mismatch"):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(MoneyError):
        assert Money(1, "CNY") < Money(2, "USD")


@pytest.mark.parametrize("bad", [1.5, "100", None, True])
def test_amount_must_be_an_int(bad):
    with pytest.raises(MoneyError):
        Money(bad, "CNY")


def test_unknown_currency_is_refused():
    with pytest.raises(UnknownCurrency):
        Money(1, "XXX")


def test_parse_reads_decimal_text_exactly():
    assert Money.parse("500.25", "CNY") == Money(50025, "CNY")
    assert Money.parse("1000", "JPY") == Money(1000, "JPY")


@pytest.mark.parametrize("text", ["500.255", "abc", "1.5"])
def test_parse_refuses_what_it_cannot_represent(text):
    currency = "JPY" if text == "1.5" else "CNY"
    with pytest.raises(MoneyError):
        Money.parse(text, currency)


def test_times_rounds_down():
    assert Money(999, "CNY").times(5, 100) == Money(49, "CNY")


def test_str_shows_major_units():
    assert str(Money(500001, "CNY")) == "5000.01 CNY"
    assert str(Money(-5, "USD")) == "-0.05 USD"


@given(a=amounts, b=amounts)
def test_addition_then_subtraction_is_identity(a, b):
    assert Money(a, "CNY") + Money(b, "CNY") - Money(b, "CNY") == Money(a, "CNY")


@given(total=st.integers(min_value=0, max_value=10**12),
       weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8)
       .filter(lambda w: sum(w) > 0))
def test_allocate_parts_sum_to_the_whole_and_stay_close_to_shares(total, weights):
    parts = Money(total, "CNY").allocate(weights)
    assert sum(p.amount for p in parts) == total
    for part, weight in zip(parts, weights, strict=True):
        exact = total * weight / sum(weights)
        assert abs(part.amount - exact) < 1 + 1e-9 * total
