"""rules/experiments.py: what a campaign becomes in each arm, and who is exposed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.rewards.rules.experiments import Experiment, apply_experiments, check_experiment
from services.rewards.rules.offers import Campaign, PercentOffer, Program, RechargeFacts, quote_bonus
from shared.experiments import HOLDOUT, Arm, assign
from shared.rule_violations import RuleViolation

AT = datetime(2026, 6, 1, 12, tzinfo=UTC)
CAMPAIGN = Campaign("double", "Double bonus", AT - timedelta(days=1), None, bonus_bps=20_000)
PROGRAM = Program(campaigns=(CAMPAIGN,))
ARMS = (Arm("triple", 5_000, {"bonus_bps": 30_000}), Arm(HOLDOUT, 5_000))
EXPERIMENT = Experiment("exp-1", "campaign", "double", ARMS, AT - timedelta(hours=1),
                        AT + timedelta(days=7))


def facts(**kw) -> RechargeFacts:
    return RechargeFacts(**{"amount": 10_000, "is_first_recharge": False,
                            "lifetime_recharged": 10_000, "at": AT, "local_weekday": 0, **kw})


def member_in(arm: str) -> str:
    return next(m for m in (f"m-{n}" for n in range(100))
                if assign("exp-1", m, ARMS).name == arm)


def test_the_holdout_is_exposed_but_gets_no_campaign() -> None:
    program, exposures = apply_experiments(member_in(HOLDOUT), facts(), PROGRAM, [EXPERIMENT])
    assert [(e.experiment_id, e.arm) for e in exposures] == [("exp-1", HOLDOUT)]
    assert program.campaigns == ()


def test_a_variant_gets_its_own_multiplier() -> None:
    # a 10 % first-recharge extra on 10 000 is 1 000; the campaign x2 adds 1 000, x3 2 000
    base = Program(campaigns=(CAMPAIGN,), first_recharge=PercentOffer("first", "First", 1_000))
    first = facts(is_first_recharge=True)
    program, exposures = apply_experiments(member_in("triple"), first, base, [EXPERIMENT])
    assert [e.arm for e in exposures] == ["triple"]
    assert quote_bonus(first, base).amount == 2_000
    assert quote_bonus(first, program).amount == 3_000


def test_no_exposure_where_the_campaign_is_not_live_or_the_window_is_closed() -> None:
    targeted = Program(campaigns=(Campaign("double", "x", AT - timedelta(days=1), None,
                                           segments=frozenset({"new"})),))
    assert apply_experiments("m-1", facts(), targeted, [EXPERIMENT])[1] == ()
    stopped = Experiment("exp-1", "campaign", "double", ARMS, EXPERIMENT.starts_at,
                         EXPERIMENT.ends_at, stopped_at=AT - timedelta(minutes=1))
    program, exposures = apply_experiments(member_in(HOLDOUT), facts(), PROGRAM, [stopped])
    assert (program, exposures) == (PROGRAM, ())


def test_refused_definitions() -> None:
    with pytest.raises(RuleViolation) as window:
        check_experiment(Experiment("e", "campaign", "double", ARMS, AT, AT))
    assert window.value.code == "invalid_experiment_window"
    with pytest.raises(RuleViolation) as parameter:
        check_experiment(Experiment("e", "campaign", "double",
                                    (Arm("a", 5_000, {"price_bps": 1}), Arm(HOLDOUT, 5_000)),
                                    AT, AT + timedelta(days=1)))
    assert parameter.value.code == "invalid_experiment_arms"


def test_a_renewal_price_experiment_takes_price_bps_on_the_membership() -> None:
    arms = (Arm("cheaper", 5_000, {"price_bps": 2_000}), Arm(HOLDOUT, 5_000))
    check_experiment(Experiment("e", "renewal_price", "membership", arms, AT,
                                AT + timedelta(days=1)))
    with pytest.raises(RuleViolation) as subject:
        check_experiment(Experiment("e", "renewal_price", "gold", arms, AT,
                                    AT + timedelta(days=1)))
    assert subject.value.code == "invalid_experiment_subject"
    with pytest.raises(RuleViolation) as figures:
        check_experiment(Experiment("e", "renewal_price", "membership",
                                    (Arm("x", 5_000, {"bonus_bps": 20_000}), Arm(HOLDOUT, 5_000)),
                                    AT, AT + timedelta(days=1)))
    assert figures.value.code == "invalid_experiment_arms"


def test_a_renewal_price_experiment_leaves_the_recharge_program_alone() -> None:
    renewal = Experiment("exp-1", "renewal_price", "membership",
                         (Arm("cheaper", 5_000, {"price_bps": 2_000}), Arm(HOLDOUT, 5_000)),
                         AT - timedelta(hours=1), AT + timedelta(days=7))
    assert apply_experiments(member_in(HOLDOUT), facts(), PROGRAM, [renewal]) == (PROGRAM, ())
