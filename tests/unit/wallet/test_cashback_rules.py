"""The wallet's cash-back clawback, pure: in proportion to the cumulative refund, from what
is left of the lot, the rest unrecovered; over any refunds of the whole purchase the taken
and the unrecovered add up to the cash-back exactly."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.wallet.rules.cashback import clawback, clawback_due, reversal


def test_the_worked_example_of_wallet_md():
    half = clawback(2_000, 20_000, 10_000, settled_before=0, lot_remaining=2_000)
    assert (half.taken, half.unrecovered) == (1_000, 0)
    rest = clawback(2_000, 20_000, 20_000, settled_before=1_000, lot_remaining=200)
    assert (rest.taken, rest.unrecovered) == (200, 800)


def test_due_rounds_down_and_a_full_refund_owes_everything():
    assert clawback_due(3_500, 30_000, 10_000) == 1_166
    assert clawback_due(3_500, 30_000, 30_000) == 3_500
    assert clawback_due(3_500, 30_000, 0) == 0


@given(st.integers(1, 10**6), st.integers(1, 10**7), st.lists(st.integers(1, 10**6), max_size=5),
       st.integers(0, 10**6))
def test_refunds_settle_exactly_the_cash_back(granted, total, cuts, spent):
    remaining, refunded, settled = max(0, granted - spent), 0, 0
    for cut in [*cuts, total]:  # the last refund takes whatever is left of the purchase
        refunded = min(total, refunded + cut)
        part = clawback(granted, total, refunded, settled, remaining)
        assert 0 <= part.taken <= remaining
        remaining -= part.taken
        settled += part.taken + part.unrecovered
    assert settled == granted


def test_a_reversal_takes_what_no_refund_settled_as_far_as_the_lot_holds():
    assert (reversal(1_000, 0, 1_000).taken, reversal(1_000, 0, 1_000).unrecovered) == (1_000, 0)
    assert (reversal(1_000, 0, 300).taken, reversal(1_000, 0, 300).unrecovered) == (300, 700)
    assert (reversal(1_000, 400, 600).taken, reversal(1_000, 400, 600).unrecovered) == (600, 0)
    assert (reversal(1_000, 1_000, 0).taken, reversal(1_000, 1_000, 0).unrecovered) == (0, 0)
