"""A recharge the wallet's risk rules flagged is always held for review (rules/
bonus_decisions.py): even when no offer gives it a bonus and whatever the screen's own
score, with the wallet's reasons first; an unflagged one is decided as before."""

from __future__ import annotations

from datetime import UTC, datetime

from services.rewards.rules.bonus_decisions import MemberPast, RechargeContext, quote_and_screen
from services.rewards.rules.fraud import FraudThresholds
from services.rewards.rules.offers import Ladder, Program, RechargeFacts, Rung
from shared.events.wallet import RechargeCompleted, RiskFinding

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
PROGRAM = Program(ladder=Ladder("ladder", "Ladder", (Rung(50_000, 8_000),)))
FLAG = RiskFinding(rule="member_short_window", action="hold_recharge",
                   detail="305000 recharged per member in 60 min, this one included (above 300000)")


def event(amount: int, *reasons: RiskFinding, terminal_recent: int = 1
          ) -> tuple[RechargeCompleted, RechargeFacts, RechargeContext]:
    completed = RechargeCompleted(
        occurred_at=NOW, member_id="m_1", recharge_id="r_1", amount=amount, currency="CNY",
        payment_method="cash", payment_reference="c_1", store_id="s_1", terminal_id="t_1",
        channel="pos", is_first_recharge=False, lifetime_recharged=amount + 10_000,
        risk_reasons=reasons, principal_held=bool(reasons))
    context = RechargeContext(MemberPast(1, 10_000, NOW), None, 1, terminal_recent, 1, 0, ())
    facts = RechargeFacts(amount, False, amount + 10_000, NOW, NOW.weekday(), None, frozenset())
    return completed, facts, context


def test_a_flagged_recharge_no_offer_rewards_is_held_not_rejected():
    completed, facts, context = event(1_000, FLAG)
    quote, verdict = quote_and_screen(completed, facts, PROGRAM, context, FraudThresholds())
    assert quote.amount == 0
    assert verdict.outcome == "hold"
    assert [r.rule for r in verdict.reasons] == ["wallet:member_short_window"]
    assert verdict.risk_score == FraudThresholds().hold_score


def test_a_flagged_recharge_the_screen_would_reject_is_held_with_both_reasons_wallet_first():
    completed, facts, context = event(60_000, FLAG, terminal_recent=99)
    thresholds = FraudThresholds(terminal_velocity_max=2, reject_score=40)
    _, verdict = quote_and_screen(completed, facts, PROGRAM, context, thresholds)
    assert verdict.outcome == "hold"
    assert [r.rule for r in verdict.reasons] == ["wallet:member_short_window", "terminal_velocity"]
    assert verdict.reasons[0].detail.startswith("hold_recharge: ")


def test_an_unflagged_recharge_is_decided_as_before():
    small, small_facts, small_context = event(1_000)
    large, large_facts, large_context = event(60_000)
    _, none_given = quote_and_screen(small, small_facts, PROGRAM, small_context, FraudThresholds())
    _, granted = quote_and_screen(large, large_facts, PROGRAM, large_context, FraudThresholds())
    assert (none_given.outcome, none_given.reasons[0].rule) == ("reject", "no_offer_applies")
    assert granted.outcome == "approve"
