"""The recharge bonus rules: ladder, first recharge, cumulative rebate, tier multipliers,
campaign windows, weekdays, segments and budgets."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.rewards.rules.offers import (
    Campaign,
    Ladder,
    PercentOffer,
    Program,
    RechargeFacts,
    Rung,
    TierMultipliers,
    campaign_is_live,
    default_tier_multipliers,
    ladder_rung,
    member_segments,
    quote_bonus,
)
from services.tiering.settings import DEFAULT_LADDER

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)  # a Wednesday
LADDER = Ladder("ladder", "Ladder", (Rung(10_000, 1_000), Rung(50_000, 8_000), Rung(100_000, 20_000)))
PROGRAM = Program(
    ladder=LADDER,
    first_recharge=PercentOffer("first", "First +5%", 500),
    cumulative=PercentOffer("cumulative", "Rebate +5%", 500, threshold=300_000),
    tiers=TierMultipliers(3, {"gold": 15_000}, {"gold": 12_000}),
)


def facts(amount: int, *, first: bool = False, lifetime: int | None = None, tier=None,
          segments=frozenset(), at=NOW) -> RechargeFacts:
    return RechargeFacts(amount, first, lifetime if lifetime is not None else amount + 50_000,
                         at, at.weekday(), tier, segments)


def campaign(**changes) -> Campaign:
    return replace(Campaign("double", "Double week", NOW - timedelta(days=1),
                            NOW + timedelta(days=6), bonus_bps=20_000), **changes)


def test_the_highest_rung_reached_applies():
    assert ladder_rung(9_999, LADDER) is None
    assert ladder_rung(10_000, LADDER) == Rung(10_000, 1_000)
    assert ladder_rung(99_999, LADDER) == Rung(50_000, 8_000)
    assert ladder_rung(500_000, LADDER) == Rung(100_000, 20_000)


def test_a_recharge_below_every_rung_gets_nothing():
    assert quote_bonus(facts(9_999), PROGRAM).amount == 0


def test_first_recharge_adds_its_percentage_of_the_amount():
    quote = quote_bonus(facts(50_000, first=True, lifetime=50_000), PROGRAM)
    assert quote.amount == 8_000 + 2_500
    assert [r.offer_id for r in quote.rules] == ["ladder", "first"]


def test_cumulative_rebate_starts_once_lifetime_before_this_recharge_reaches_the_threshold():
    below = quote_bonus(facts(50_000, lifetime=349_999), PROGRAM)
    at_threshold = quote_bonus(facts(50_000, lifetime=350_000), PROGRAM)
    assert below.amount == 8_000
    assert at_threshold.amount == 8_000 + 2_500


def test_tier_multiplier_scales_the_base_bonus_and_is_explained():
    quote = quote_bonus(facts(100_000, tier="gold"), PROGRAM)
    assert quote.amount == 24_000
    assert quote.rules[-1].offer_id == "tier_program_v3" and quote.rules[-1].amount == 4_000
    assert quote.rules[-1].name == "Tier bonus multiplier gold 12000 bps (tier program v3)"


def test_the_default_tier_multipliers_are_the_ones_tiering_shows_by_default():
    shown = {tier.name: (tier.benefits.points_multiplier_bps, tier.benefits.bonus_multiplier_bps)
             for tier in DEFAULT_LADDER}
    paid = default_tier_multipliers()
    assert shown == {tier: (paid.points_bps_by_tier[tier], paid.bonus_bps_by_tier[tier])
                     for tier in shown}
    assert shown == {"regular": (10_000, 10_000), "silver": (12_000, 11_000),
                     "gold": (15_000, 12_000), "diamond": (20_000, 15_000)}


def test_an_unknown_tier_multiplies_by_one():
    assert quote_bonus(facts(100_000, tier="bronze"), PROGRAM).amount == 20_000


def test_a_campaign_adds_its_multiple_inside_its_window_only():
    program = replace(PROGRAM, campaigns=(campaign(),))
    assert quote_bonus(facts(100_000), program).amount == 40_000
    before = facts(100_000, at=NOW - timedelta(days=2))
    ended = facts(100_000, at=NOW + timedelta(days=6))
    assert quote_bonus(before, program).amount == 20_000
    assert quote_bonus(ended, program).amount == 20_000


def test_the_window_starts_inclusive_and_ends_exclusive():
    c = campaign(starts_at=NOW, ends_at=NOW + timedelta(hours=1))
    assert campaign_is_live(c, NOW, NOW.weekday())
    assert not campaign_is_live(c, NOW + timedelta(hours=1), NOW.weekday())
    assert not campaign_is_live(c, NOW - timedelta(microseconds=1), NOW.weekday())


def test_a_weekly_member_day_applies_on_its_weekday_only():
    c = campaign(weekdays=frozenset({2}))
    assert campaign_is_live(c, NOW, 2)
    assert not campaign_is_live(c, NOW, 3)


def test_a_targeted_campaign_applies_to_its_segments_only():
    c = campaign(segments=frozenset({"dormant"}))
    assert campaign_is_live(c, NOW, 2, frozenset({"dormant", "high_value"}))
    assert not campaign_is_live(c, NOW, 2, frozenset({"new"}))


def test_a_campaign_stops_granting_when_its_budget_cannot_pay_the_addition():
    program = replace(PROGRAM, campaigns=(campaign(budget_remaining=19_999),))
    quote = quote_bonus(facts(100_000), program)
    assert quote.amount == 20_000 and quote.campaign_costs == ()
    exact = replace(PROGRAM, campaigns=(campaign(budget_remaining=20_000),))
    assert quote_bonus(facts(100_000), exact).campaign_costs[0].amount == 20_000


def test_without_campaign_takes_the_campaign_out():
    program = replace(PROGRAM, campaigns=(campaign(budget_remaining=10**9),))
    assert quote_bonus(facts(100_000), program.without_campaign("double")).amount == 20_000


def test_segments_new_dormant_and_high_value():
    def seg(prior, last, lifetime):
        return member_segments(prior_recharges=prior, last_active_at=last, prior_lifetime=lifetime,
                               at=NOW, dormant_after_days=90, high_value_from=1_000_000)
    assert seg(0, None, 0) == {"new"}
    assert seg(3, NOW - timedelta(days=90), 10) == {"dormant"}
    assert seg(3, NOW - timedelta(days=89), 10) == frozenset()
    assert seg(3, NOW - timedelta(days=1), 1_000_000) == {"high_value"}


@given(amount=st.integers(0, 10**9), first=st.booleans(), extra=st.integers(0, 10**9),
       tier=st.sampled_from([None, "gold", "silver"]))
def test_the_bonus_is_the_sum_of_its_explained_rules(amount, first, extra, tier):
    program = replace(PROGRAM, campaigns=(campaign(budget_remaining=10**6),))
    quote = quote_bonus(facts(amount, first=first, lifetime=amount + extra, tier=tier), program)
    assert quote.amount == sum(rule.amount for rule in quote.rules) >= 0
    assert all(rule.amount > 0 for rule in quote.rules)
    assert sum(c.amount for c in quote.campaign_costs) <= 10**6
