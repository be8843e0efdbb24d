"""The short-window amount rules (rules/risk.py), pure: a rule fires above its threshold,
never at it, counting the recharge itself; rules fire independently, in their order; a rule
that cannot fire (zero window or threshold) is refused when the settings are read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.wallet.rules.risk import DEFAULT_RULES, HOLDS_PRINCIPAL, RiskRule, as_json, findings
from services.wallet.settings import WalletSettings

MEMBER = RiskRule("member_hour", "member", 60, 300_000, "hold_recharge")
CARD = RiskRule("card_day", "payment_reference", 1_440, 100_000, "hold_bonus")


def test_a_rule_fires_above_its_threshold_counting_this_recharge():
    assert findings([MEMBER], 300_000, {}) == ()
    assert findings([MEMBER], 1, {"member_hour": 299_999}) == ()
    [fired] = findings([MEMBER], 2, {"member_hour": 299_999})
    assert (fired.rule, fired.action, fired.window_sum) == ("member_hour", "hold_recharge", 300_001)


def test_rules_fire_independently_in_their_order():
    fired = findings([MEMBER, CARD], 200_000, {"member_hour": 150_000})
    assert [f.rule for f in fired] == ["member_hour", "card_day"]
    assert [f.rule for f in findings([MEMBER, CARD], 200_000, {})] == ["card_day"]


def test_the_default_holds_the_whole_recharge_above_3000_yuan_an_hour_per_member():
    [rule] = DEFAULT_RULES
    assert (rule.scope, rule.window_minutes, rule.threshold) == ("member", 60, 300_000)
    assert rule.action in HOLDS_PRINCIPAL and "hold_bonus" not in HOLDS_PRINCIPAL


def test_rules_are_read_from_settings_json_and_bad_ones_refused(monkeypatch):
    monkeypatch.setenv("PATRONAGE_WALLET_RISK", '[{"name": "till", "scope": "terminal", '
                       '"window_minutes": 10, "threshold": 50000, "action": "freeze"}]')
    assert as_json(WalletSettings().risk) == [{"name": "till", "scope": "terminal",
                                               "window_minutes": 10, "threshold": 50_000,
                                               "action": "freeze"}]
    monkeypatch.setenv("PATRONAGE_WALLET_RISK", '[{"name": "x", "scope": "member", '
                       '"window_minutes": 0, "threshold": 1, "action": "freeze"}]')
    with pytest.raises(ValidationError):
        WalletSettings()
    monkeypatch.setenv("PATRONAGE_WALLET_RISK", '[{"name": "x", "scope": "card", '
                       '"window_minutes": 5, "threshold": 1, "action": "freeze"}]')
    with pytest.raises(ValidationError):
        WalletSettings()
