"""What a wallet event counts for (rules/qualifying.py), what a purchase renews
(rules/memberships.py) and when the next anniversary review falls (rules/tiers.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.tiering.rules.memberships import Renewal, renewal_in
from services.tiering.rules.qualifying import (
    in_rolling_year,
    purchase_refund_spend,
    purchase_spend,
    recharge_refund_amount,
    standing_of,
)
from services.tiering.rules.tiers import Standing, next_review_at
from shared.events.wallet import PurchaseCompleted, PurchaseItem

NOW = datetime(2027, 3, 1, 9, tzinfo=UTC)


def bought(*items: PurchaseItem, total: int = 100_000) -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=NOW, member_id="m_1", purchase_id="p_1", order_reference="o_1", total=total,
        currency="CNY", paid_principal=total, paid_bonus=0, paid_other=0, items=items,
        store_id="store_1", terminal_id="pos_1", channel="pos")


def membership(years: int, quantity: int, amount: int, quote_id: str | None = "q-1") -> PurchaseItem:
    return PurchaseItem(sku=f"membership-{years}y", category="membership", quantity=quantity,
                        amount=amount, quote_id=quote_id)


def test_only_membership_lines_bought_against_a_quote_renew_and_sum_their_years():
    goods = PurchaseItem(sku="coffee", category="drinks", quantity=2, amount=6_000)
    purchase = bought(goods, membership(1, 1, 32_400, "q-1"), membership(2, 1, 57_600, "q-2"),
                      total=96_000)
    assert renewal_in(purchase) == Renewal(years=3, price=90_000)
    assert renewal_in(bought(goods, total=6_000)) is None


def test_a_membership_line_without_a_quote_or_not_one_quoted_unit_renews_nothing_and_is_not_spend():
    unquoted = membership(1, 1, 36_000, quote_id=None)
    twice = membership(1, 2, 64_800, quote_id="q-1")  # a quote sells one unit
    renewal = renewal_in(bought(unquoted, twice, total=100_800))
    assert renewal == Renewal(years=0, price=0, unquoted=("membership-1y", "membership-1y"),
                              unquoted_amount=100_800)
    assert purchase_spend(100_800, renewal) == 0


def test_a_purchase_counts_its_total_without_the_membership_lines():
    assert purchase_spend(100_000, None) == 100_000
    assert purchase_spend(100_000, Renewal(1, 32_400)) == 67_600
    assert purchase_spend(32_400, Renewal(1, 32_400)) == 0
    assert purchase_spend(30_000, Renewal(1, 32_400)) == 0  # a discounted renewal never counts negative


@pytest.mark.parametrize(("refunded", "revoked", "still_counted", "entry"), [
    (50_000, 0, 80_000, -50_000),  # an ordinary refund
    (90_000, 0, 80_000, -80_000),  # never below what is still counted
    (100_000, 32_400, 80_000, -67_600),  # the revoked membership's price was never counted
    (20_000, 32_400, 80_000, 0),  # a refund of the membership only
])
def test_a_purchase_refund_takes_back_at_most_what_is_still_counted(refunded, revoked, still_counted,
                                                                     entry):
    assert purchase_refund_spend(refunded, revoked, still_counted) == entry


def test_a_recharge_refund_takes_back_its_principal_at_most_what_is_counted():
    assert recharge_refund_amount(30_000, 100_000) == -30_000
    assert recharge_refund_amount(130_000, 100_000) == -100_000


def test_the_rolling_year_excludes_its_start_and_includes_now():
    year_ago = datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert not in_rolling_year(year_ago, NOW)
    assert in_rolling_year(year_ago + timedelta(microseconds=1), NOW)
    assert in_rolling_year(NOW, NOW)
    assert not in_rolling_year(NOW + timedelta(microseconds=1), NOW)


def test_a_measure_never_stands_below_zero():
    assert standing_of(-5_000, 7_000) == Standing(0, 7_000)


def utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def test_the_next_review_skips_anniversaries_whose_review_has_passed():
    review_at = utc(2027, 1, 1)  # reviewed at 2027-01-31, after the 30 days' grace
    assert next_review_at(review_at, 30, utc(2027, 2, 1)) == utc(2028, 1, 1)
    # run three years late: the missed anniversaries are not queued up
    assert next_review_at(review_at, 30, utc(2030, 1, 15)) == utc(2030, 1, 1)  # still in grace
    assert next_review_at(review_at, 30, utc(2030, 2, 1)) == utc(2031, 1, 1)
