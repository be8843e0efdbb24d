"""Tier rules: thresholds, immediate upgrades, downgrades only at the review, progress."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.tiering.rules.tiers import (
    Standing,
    Tier,
    TierRules,
    TierRuleViolation,
    progress,
    qualified_tier,
    review,
    upgrade,
)
from services.tiering.settings import DEFAULT_LADDER

SPEND = TierRules("spend_12m", DEFAULT_LADDER)  # silver 5,000 / gold 20,000 / diamond 50,000
BOTH = TierRules("both", DEFAULT_LADDER)  # recharge: silver 3,000 / gold 10,000 / diamond 30,000


def spent(amount: int, recharged: int = 0) -> Standing:
    return Standing(spend_12m=amount, lifetime_recharge=recharged)


@pytest.mark.parametrize(("amount", "tier"), [
    (0, "regular"), (499_999, "regular"), (500_000, "silver"), (1_999_999, "silver"),
    (2_000_000, "gold"), (5_000_000, "diamond"), (9_000_000, "diamond"),
])
def test_a_threshold_is_reached_at_exactly_its_amount(amount, tier):
    assert qualified_tier(SPEND, spent(amount))[0].name == tier


def test_crossing_a_threshold_upgrades_at_once_and_says_why():
    decision = upgrade(SPEND, "silver", spent(2_000_000))
    assert decision is not None
    assert (decision.from_tier, decision.to_tier, decision.direction) == ("silver", "gold", "up")
    assert decision.qualifying_amount == 2_000_000
    assert decision.reason == "rolling 12-month spend 2000000 reached 2000000 for gold"


def test_an_upgrade_may_skip_tiers():
    decision = upgrade(SPEND, "regular", spent(6_000_000))
    assert decision is not None and decision.to_tier == "diamond"


def test_falling_below_a_threshold_never_downgrades_between_reviews():
    assert upgrade(SPEND, "gold", spent(0)) is None


def test_the_review_moves_down_to_the_tier_still_qualified_for():
    decision = review(SPEND, "diamond", spent(600_000))
    assert decision is not None
    assert (decision.to_tier, decision.direction, decision.qualifying_amount) == ("silver", "down", 600_000)
    assert "anniversary review" in decision.reason and "below 5000000" in decision.reason


def test_the_review_keeps_a_member_who_retained_the_tier():
    assert review(SPEND, "gold", spent(2_000_000)) is None


def test_with_both_measures_either_one_qualifies():
    assert qualified_tier(BOTH, spent(0, recharged=1_000_000))[0].name == "gold"
    assert qualified_tier(BOTH, spent(2_000_000, recharged=0))[0].name == "gold"
    decision = upgrade(BOTH, "regular", spent(600_000, recharged=1_000_000))
    assert decision is not None and decision.to_tier == "gold"
    assert "lifetime recharge" in decision.reason and decision.qualifying_amount == 1_000_000


def test_lifetime_recharge_alone_ignores_spend():
    rules = TierRules("lifetime_recharge", DEFAULT_LADDER)
    assert qualified_tier(rules, spent(9_000_000, recharged=0))[0].name == "regular"


def test_progress_names_the_next_tier_and_what_is_missing_in_major_units():
    shown = progress(SPEND, "silver", spent(2_000_000 - 124_000))
    assert (shown.next_tier, shown.remaining, shown.message) == ("gold", 124_000, "1,240 more to gold")


def test_progress_at_the_top_has_nowhere_to_go():
    shown = progress(SPEND, "diamond", spent(9_000_000))
    assert shown.next_tier is None and shown.remaining == 0


@pytest.mark.parametrize(("tiers", "code"), [
    ((), "empty_ladder"),
    ((Tier("a"), Tier("a", 10)), "duplicate_tier"),
    ((Tier("a", 5),), "lowest_tier_has_threshold"),
    ((Tier("a"), Tier("b", 10), Tier("c", 10)), "thresholds_not_increasing"),
])
def test_a_ladder_that_makes_no_sense_is_refused(tiers, code):
    with pytest.raises(TierRuleViolation) as refused:
        TierRules("spend_12m", tiers)
    assert refused.value.code == code


@given(st.integers(0, 10**9), st.integers(0, 10**9))
def test_more_spend_never_means_a_lower_tier(amount, extra):
    lower = SPEND.rank(qualified_tier(SPEND, spent(amount))[0].name)
    assert SPEND.rank(qualified_tier(SPEND, spent(amount + extra))[0].name) >= lower


@given(st.sampled_from([t.name for t in DEFAULT_LADDER]), st.integers(0, 10**9))
def test_upgrade_only_goes_up_and_review_lands_on_the_qualified_tier(current, amount):
    up = upgrade(SPEND, current, spent(amount))
    assert up is None or SPEND.rank(up.to_tier) > SPEND.rank(current)
    reviewed = review(SPEND, current, spent(amount))
    landed = reviewed.to_tier if reviewed else current
    assert landed == qualified_tier(SPEND, spent(amount))[0].name
