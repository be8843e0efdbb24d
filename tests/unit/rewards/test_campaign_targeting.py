"""Campaigns on segments: a campaign targets everyone, a built-in segment or segments as
data; a points campaign's share is what it adds on top of the tier and the campaigns before
it, and the shares add up to the points earned; "dormant" counts any activity."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.earning import purchase_earning
from services.rewards.rules.offers import (
    Campaign,
    Program,
    TierMultipliers,
    campaign_is_live,
    member_segments,
)
from services.rewards.rules.points import points_for_amount
from shared.events.wallet import PurchaseCompleted

NOW = datetime(2027, 3, 10, 8, tzinfo=UTC)
TIERS = TierMultipliers(1, {"gold": 15_000}, {})


def campaign(offer_id: str, **terms) -> Campaign:
    return Campaign(offer_id, offer_id, NOW - timedelta(days=1), None, **terms)


def bought(total: int, paid_bonus: int = 0) -> PurchaseCompleted:
    return PurchaseCompleted(
        occurred_at=NOW, member_id="m_1", purchase_id="p_1", order_reference="o_1", total=total,
        currency="CNY", paid_principal=total - paid_bonus, paid_bonus=paid_bonus, paid_other=0,
        store_id="store_2", terminal_id="pos_1", channel="pos")


def test_a_campaign_on_segments_applies_only_to_their_members():
    targeted = campaign("gold_store_2", segment_ids=frozenset({"gold_store_2"}))
    assert campaign_is_live(targeted, NOW, 2, segment_ids=frozenset({"gold_store_2", "x"}))
    assert not campaign_is_live(targeted, NOW, 2, segment_ids=frozenset({"x"}))
    assert not campaign_is_live(targeted, NOW, 2)
    both = campaign("c", segments=frozenset({"new"}), segment_ids=frozenset({"vip"}))
    assert campaign_is_live(both, NOW, 2, segments=frozenset({"new"}))
    assert campaign_is_live(both, NOW, 2, segment_ids=frozenset({"vip"}))
    assert campaign_is_live(campaign("everyone"), NOW, 2)


def test_birthday_double_points_for_the_segments_members_only():
    program = Program(tiers=TIERS, campaigns=(
        campaign("birthday_double_points", points_bps=20_000,
                 segment_ids=frozenset({"birthday_month"})),))

    def earned(segment_ids: frozenset[str]) -> int:
        return purchase_earning(bought(12_345), program, None, minor_units_per_point=100,
                                local_weekday=2, segment_ids=segment_ids).points

    assert earned(frozenset({"birthday_month"})) == 246
    assert earned(frozenset()) == 123


@given(total=st.integers(0, 10**9), bonus_part=st.integers(0, 100),
       bps=st.lists(st.integers(10_000, 100_000), max_size=4), gold=st.booleans())
def test_campaign_shares_add_up_to_the_points_of_one_rounding(total, bonus_part, bps, gold):
    paid_bonus = total * bonus_part // 100
    campaigns = tuple(campaign(f"c{n}", points_bps=b) for n, b in enumerate(bps))
    earning = purchase_earning(bought(total, paid_bonus), Program(tiers=TIERS, campaigns=campaigns),
                               "gold" if gold else None, minor_units_per_point=100,
                               local_weekday=2)
    multipliers = ([15_000] if gold else []) + list(bps)
    assert earning.points == points_for_amount(total - paid_bonus, 100, multipliers)
    base = points_for_amount(total - paid_bonus, 100, [15_000] if gold else [])
    assert base + sum(share for _, share in earning.campaign_points) == earning.points


def test_dormant_counts_activity_of_any_kind_not_recharges_alone():
    def segments(last_active):
        return member_segments(prior_recharges=4, last_active_at=last_active, prior_lifetime=0,
                               at=NOW, dormant_after_days=90, high_value_from=10**9)
    assert segments(NOW - timedelta(days=91)) == {"dormant"}
    assert segments(NOW - timedelta(days=1)) == frozenset()  # bought something yesterday
