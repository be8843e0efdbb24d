"""The tier discount at the till: basis points of everything but membership lines, rounded
down; nothing left to pay is refused; the default ladder's discounts are tiering's."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tiering.settings import DEFAULT_LADDER
from services.wallet.rules.tier_discounts import amount_due, tier_discount
from shared.rule_violations import RuleViolation
from shared.tier_benefits import DEFAULT_DISCOUNT_BPS


def test_membership_lines_are_never_discounted():
    given_ = tier_discount("gold", 500, 38_000, [("drinks", 10_000), ("membership", 28_000)])
    assert (given_.amount, amount_due(38_000, given_)) == (500, 37_500)


def test_a_total_without_lines_is_discounted_whole_and_rounds_down():
    assert tier_discount("silver", 300, 999, []).amount == 29  # 29.97


def test_nothing_left_to_pay_is_refused():
    with pytest.raises(RuleViolation) as refused:
        amount_due(1_000, tier_discount("staff", 10_000, 1_000, []))
    assert refused.value.code == "nothing_to_pay"


@given(total=st.integers(1, 10**12), membership=st.integers(0, 10**12), bps=st.integers(0, 9_999))
def test_the_discount_is_within_the_eligible_amount(total, membership, bps):
    lines = [("membership", min(membership, total))]
    discount = tier_discount("t", bps, total, lines).amount
    assert 0 <= discount <= total - min(membership, total)
    assert amount_due(total, tier_discount("t", bps, total, lines)) == total - discount


def test_the_default_ladder_discounts_come_from_the_one_shared_place():
    assert {tier.name: tier.benefits.discount_bps for tier in DEFAULT_LADDER} == DEFAULT_DISCOUNT_BPS
