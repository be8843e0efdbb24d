"""The entitlement rules: which tier or term grants what, for which period (the merchant's
calendar year), and which definitions ops may publish."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.tiering.rules.entitlements import (
    DEFAULT_DEFINITIONS,
    Benefit,
    Definitions,
    calendar_year,
    check_definitions,
    check_redeemable,
    term_grants,
    tier_grants,
)
from services.tiering.settings import DEFAULT_LADDER
from shared.rule_violations import RuleViolation

TIERS = tuple(tier.name for tier in DEFAULT_LADDER)


def test_the_year_is_the_merchants_not_utcs():
    # 31 Dec 2027 17:00 UTC is already 1 Jan 2028 in Shanghai
    start, end = calendar_year(datetime(2027, 12, 31, 17, tzinfo=UTC), "Asia/Shanghai")
    assert (start, end) == (datetime(2027, 12, 31, 16, tzinfo=UTC), datetime(2028, 12, 31, 16, tzinfo=UTC))


def test_gold_gets_three_free_services_a_year_and_diamond_priority_support_as_a_flag():
    now = datetime(2027, 3, 1, tzinfo=UTC)
    gold = tier_grants(DEFAULT_DEFINITIONS, "gold", now, "Asia/Shanghai")
    assert [(g.code, g.quota) for g in gold] == [("free_service", 3)]
    diamond = tier_grants(DEFAULT_DEFINITIONS, "diamond", now, "Asia/Shanghai")
    assert [(g.code, g.quota) for g in diamond] == [("free_service", 3), ("priority_support", 0)]
    assert tier_grants(DEFAULT_DEFINITIONS, "regular", now, "Asia/Shanghai") == []


def test_a_term_grants_its_quota_per_year_for_its_span():
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2029, 3, 1, tzinfo=UTC)
    [perk] = term_grants(DEFAULT_DEFINITIONS, "regular", start, end, 2)
    assert (perk.code, perk.quota, perk.period_start, perk.period_end) == ("quarterly_perk", 8, start, end)


def test_nonsense_definitions_are_refused_with_a_code():
    spa = Benefit("spa", "水疗", "Spa", 1, "tier_year", ("gold",))
    assert check_definitions((spa,), TIERS).benefits == (spa,)
    cases = {
        "duplicate_benefit_code": (spa, spa),
        "benefit_without_tiers": (Benefit("spa", "水疗", "Spa", 1, "tier_year"),),
        "unknown_tier": (Benefit("spa", "水疗", "Spa", 1, "term", ("platinum",)),),
    }
    for code, benefits in cases.items():
        with pytest.raises(RuleViolation) as refused:
            check_definitions(benefits, TIERS)
        assert refused.value.code == code


def test_a_flag_benefit_is_not_redeemable():
    check_redeemable(3, "free_service")
    with pytest.raises(RuleViolation) as refused:
        check_redeemable(0, "priority_support")
    assert refused.value.code == "entitlement_not_redeemable"


def test_a_buyer_not_enrolled_yet_gets_only_the_benefits_of_any_tier():
    start, end = datetime(2027, 3, 1, tzinfo=UTC), datetime(2028, 3, 1, tzinfo=UTC)
    gold_only = Benefit("lounge", "贵宾室", "Lounge", 2, "term", ("gold",))
    definitions = Definitions((*DEFAULT_DEFINITIONS.benefits, gold_only))
    assert [g.code for g in term_grants(definitions, None, start, end, 1)] == ["quarterly_perk"]
    assert [g.code for g in term_grants(definitions, "gold", start, end, 1)] == [
        "quarterly_perk", "lounge"]
