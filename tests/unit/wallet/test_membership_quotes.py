"""The wallet's membership-line check (rules/membership_quotes.py) on the signed quote
tokens of shared/membership_quotes.py: pure, no clock but the one passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.wallet.rules.membership_quotes import Line, quoted_lines
from shared.membership_quotes import QuotedRenewal, read_quote, sign_quote
from shared.rule_violations import RuleViolation

SECRET = "test-secret-0123456789abcdef-0123456789"
NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)
QUOTE = QuotedRenewal("q-1", "m_1", "membership-1y", 1, 28_800, "CNY", NOW + timedelta(minutes=30))
TOKEN = sign_quote(SECRET, QUOTE)
FORGED = sign_quote("another-secret-0123456789abcdef-0123", QUOTE)


def check(*lines: Line, member: str = "m_1", currency: str = "CNY", now: datetime = NOW):
    return quoted_lines(lines, member, currency, SECRET, now)


def refusal(*lines: Line, **options) -> str:
    with pytest.raises(RuleViolation) as refused:
        check(*lines, **options)
    return refused.value.code


def test_a_token_round_trips_its_quote():
    assert read_quote(SECRET, TOKEN, NOW) == QUOTE


def test_lines_at_their_quote_pass_and_other_lines_need_none():
    coffee = Line("latte", "drinks", 2, 7_000)
    assert check(coffee, Line("membership-1y", "membership", 1, 28_800, TOKEN)) == (None, "q-1")


@pytest.mark.parametrize(("line", "options", "code"), [
    (Line("membership-1y", "membership", 1, 1), {}, "quote_required"),
    (Line("membership-1y", "membership", 1, 28_799, TOKEN), {}, "price_not_quoted"),
    (Line("membership-1y", "membership", 2, 57_600, TOKEN), {}, "price_not_quoted"),
    (Line("membership-1y", "membership", 1, 28_800, TOKEN), {"currency": "USD"}, "price_not_quoted"),
    (Line("membership-2y", "membership", 1, 28_800, TOKEN), {}, "quote_invalid"),
    (Line("membership-1y", "membership", 1, 28_800, TOKEN), {"member": "m_2"}, "quote_invalid"),
    (Line("membership-1y", "membership", 1, 28_800, FORGED), {}, "quote_invalid"),
    (Line("membership-1y", "membership", 1, 28_800, TOKEN), {"now": QUOTE.expires_at}, "quote_expired"),
])
def test_a_membership_line_not_exactly_at_its_quote_is_refused(line, options, code):
    assert refusal(line, **options) == code


def test_one_quote_sells_one_line():
    line = Line("membership-1y", "membership", 1, 28_800, TOKEN)
    assert refusal(line, line) == "quote_invalid"
