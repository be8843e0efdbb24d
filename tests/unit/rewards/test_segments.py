"""The segment rule language: what it accepts, the stable codes of what it refuses, and how
a checked rule evaluates member facts (an unknown fact value never matches)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.rules.segments import (
    MemberFacts,
    SegmentRuleRefused,
    birthday_month_is_current,
    check_rule,
    days_to_expiry,
    matches,
    membership_status,
)

NOW = datetime(2027, 3, 10, 8, tzinfo=UTC)
GOLD_IN_STORE_2 = {"all": [{"fact": "tier", "op": "eq", "value": "gold"},
                           {"fact": "home_store", "op": "eq", "value": "store_2"}]}


def member(**values) -> MemberFacts:
    return MemberFacts("m_1", values)


def refused(rule) -> tuple[str, str]:
    with pytest.raises(SegmentRuleRefused) as caught:
        check_rule(rule)
    return caught.value.code, caught.value.extra["path"]


def test_all_any_not_over_comparisons():
    check_rule(GOLD_IN_STORE_2)
    assert matches(GOLD_IN_STORE_2, member(tier="gold", home_store="store_2"))
    assert not matches(GOLD_IN_STORE_2, member(tier="gold", home_store="store_1"))
    assert not matches(GOLD_IN_STORE_2, member(tier="silver", home_store="store_2"))
    either = {"any": [{"fact": "spend_30d", "op": "gte", "value": 100_000},
                      {"not": {"fact": "visits_90d", "op": "lt", "value": 3}}]}
    check_rule(either)
    assert matches(either, member(spend_30d=100_000, visits_90d=0))
    assert matches(either, member(spend_30d=0, visits_90d=3))
    assert not matches(either, member(spend_30d=99_999, visits_90d=2))


def test_in_and_contains():
    rule = {"all": [{"fact": "tier", "op": "in", "value": ["gold", "platinum"]},
                    {"fact": "stores_visited", "op": "contains", "value": "store_2"}]}
    check_rule(rule)
    assert matches(rule, member(tier="gold", stores_visited=frozenset({"store_1", "store_2"})))
    assert not matches(rule, member(tier="gold", stores_visited=frozenset({"store_1"})))


def test_a_fact_the_member_has_no_value_for_never_matches_whatever_the_operator():
    never_active = member(days_since_last_activity=None, tier=None)
    assert not matches({"fact": "days_since_last_activity", "op": "gte", "value": 90}, never_active)
    assert not matches({"fact": "tier", "op": "ne", "value": "gold"}, never_active)


def test_empty_all_holds_and_empty_any_does_not():
    assert matches({"all": []}, member())
    assert not matches({"any": []}, member())


@pytest.mark.parametrize(("rule", "code", "path"), [
    ({"fact": "shoe_size", "op": "eq", "value": 42}, "unknown_fact", "rule.fact"),
    ({"all": [{"fact": "tier", "op": "gt", "value": "gold"}]}, "unknown_operator",
     "rule.all.0.op"),
    ({"fact": "stores_visited", "op": "eq", "value": "store_2"}, "unknown_operator", "rule.op"),
    ({"fact": "spend_30d", "op": "gte", "value": "lots"}, "invalid_segment_rule", "rule.value"),
    ({"fact": "spend_30d", "op": "gte", "value": True}, "invalid_segment_rule", "rule.value"),
    ({"fact": "birthday_month_is_current", "op": "eq", "value": 1}, "invalid_segment_rule",
     "rule.value"),
    ({"fact": "tier", "op": "in", "value": []}, "invalid_segment_rule", "rule.value"),
    ({"fact": "tier", "op": "eq"}, "invalid_segment_rule", "rule"),
    ({"all": {"fact": "tier"}}, "invalid_segment_rule", "rule"),
    ({"all": [], "any": []}, "invalid_segment_rule", "rule"),
    ([], "invalid_segment_rule", "rule"),
    ({"not": {"not": {"not": {"not": {"not": {"not": {"all": []}}}}}}}, "segment_rule_too_large",
     "rule.not.not.not.not.not.not"),
    ({"any": [{"fact": "tier", "op": "eq", "value": "gold"}] * 60}, "segment_rule_too_large",
     "rule"),
])
def test_refusals_name_a_stable_code_and_where(rule, code, path):
    assert refused(rule) == (code, path)


def test_membership_status_and_days_to_expiry():
    assert membership_status(None, NOW) == "none" and days_to_expiry(None, NOW) is None
    assert membership_status(NOW + timedelta(days=10, hours=1), NOW) == "active"
    assert days_to_expiry(NOW + timedelta(days=10, hours=1), NOW) == 10
    assert membership_status(NOW, NOW) == "lapsed" and days_to_expiry(NOW, NOW) is None


def test_the_birthday_month_is_current_through_the_month_of_the_last_celebration():
    assert birthday_month_is_current("2027-03", "2027-03")
    assert not birthday_month_is_current("2026-03", "2027-03")  # last year's
    assert not birthday_month_is_current("2027-02", "2027-03")
    assert not birthday_month_is_current(None, "2027-03")
