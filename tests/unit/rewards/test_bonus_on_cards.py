"""No bonus on an unregistered card: a RechargeCompleted the wallet applied the card caps to
(`card_kind` "card") is rejected with `unregistered_card` before the screen runs; a
registered one, or an older event without the field, is quoted and screened as before."""

from __future__ import annotations

from datetime import UTC, datetime

from services.rewards.rules.bonus_decisions import (
    MemberPast,
    RechargeContext,
    quote_and_screen,
    recharge_facts,
)
from services.rewards.rules.fraud import FraudThresholds
from shared.events.wallet import RechargeCompleted
from tests.unit.rewards.test_offers import PROGRAM

# a history that would make the screen hold the recharge (member velocity, large first)
SUSPECT = RechargeContext(past=MemberPast(0, 0, None), tier=None, member_recent=9,
                          terminal_recent=1, members_on_reference=1, refunds_after_bonus=0,
                          recent_amounts=())


def decide(card_kind, **options):
    event = RechargeCompleted(
        occurred_at=datetime(2026, 11, 25, 10, tzinfo=UTC), member_id="m_1", recharge_id="r_1",
        amount=50_000, currency="CNY", payment_method="cash", payment_reference="cash-1",
        store_id="store_1", terminal_id="pos_1", channel="pos", is_first_recharge=True,
        lifetime_recharged=50_000, card_kind=card_kind)
    facts = recharge_facts(event, SUSPECT, zone=UTC, dormant_after_days=90,
                           high_value_from=1_000_000)
    return quote_and_screen(event, facts, PROGRAM, SUSPECT, FraudThresholds(), **options)


def test_a_card_recharge_is_rejected_unscreened_with_unregistered_card():
    quote, verdict = decide("card")
    assert quote.amount > 0  # an offer would have paid: the card rule is what refuses it
    assert verdict.outcome == "reject"
    assert [reason.rule for reason in verdict.reasons] == ["unregistered_card"]
    assert verdict.risk_score == 0


def test_registered_and_older_events_are_screened_as_before():
    for kind in ("registered", None):
        _, verdict = decide(kind)
        assert "unregistered_card" not in [reason.rule for reason in verdict.reasons]
        assert "member_velocity" in [reason.rule for reason in verdict.reasons]


def test_the_merchant_may_pay_bonuses_on_cards():
    _, verdict = decide("card", no_bonus_on_cards=False)
    assert "member_velocity" in [reason.rule for reason in verdict.reasons]
