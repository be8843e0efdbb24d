"""Each abuse rule, and how the verdict weighs suspicion against the monthly cap."""

from __future__ import annotations

from dataclasses import replace

from services.referral.rules import abuse
from services.referral.settings import ReferralSettings

PROGRAM = ReferralSettings().default_program()  # cap 10 a month, burst above 20 an hour


def test_codes_that_cannot_refer_are_refused_with_a_reason():
    assert abuse.attribution_refusal(None, False, "m_b", False) == "unknown_code"
    assert abuse.attribution_refusal("m_a", False, "m_b", False) == "inactive_code"
    assert abuse.attribution_refusal("m_b", True, "m_b", False) == "self_referral"
    assert abuse.attribution_refusal("m_a", True, "m_b", True) == "already_referred"
    assert abuse.attribution_refusal("m_a", True, "m_b", False) is None


def test_a_ring_is_the_invitee_up_the_referrers_chain():
    assert abuse.forms_ring(["m_b"], "m_b")  # B referred A; A now refers B
    assert abuse.forms_ring(["m_c", "m_b"], "m_b")  # A→B→C→A
    assert not abuse.forms_ring(["m_c", "m_d"], "m_b")
    deep = [f"m_{i}" for i in range(abuse.RING_DEPTH)] + ["m_b"]
    assert not abuse.forms_ring(deep, "m_b")  # beyond the depth looked at


def test_a_burst_is_more_enrolments_on_one_code_than_the_limit():
    assert not abuse.is_burst(PROGRAM.burst_limit, PROGRAM)
    assert abuse.is_burst(PROGRAM.burst_limit + 1, PROGRAM)


def test_every_signal_is_named_in_the_reasons():
    signals = abuse.Signals(same_phone=True, same_device=True, same_payment_reference=True,
                            ring=True, burst=True)
    assert abuse.reasons(signals) == ("same_phone", "same_device", "same_payment_reference",
                                      "ring", "burst")
    assert abuse.reasons(abuse.Signals()) == ()


def test_suspicion_holds_before_the_cap_and_the_eleventh_friend_is_capped():
    assert abuse.verdict(("same_device",), 0, PROGRAM) == "held"
    assert abuse.verdict((), 9, PROGRAM) == "qualified"
    assert abuse.verdict((), 10, PROGRAM) == "capped"
    assert abuse.verdict((), 0, replace(PROGRAM, monthly_cap=0)) == "capped"
