"""Experiments on recharge campaigns: which arm a member is in, what the campaign becomes
for them, and whether this recharge exposes them.

A campaign experiment splits the members the campaign targets into arms (shared/experiments.py
assigns them by a stable hash). The holdout gets the program without the campaign; a variant
gets the campaign with its own figures (`bonus_bps`, the campaign's multiplier, when given).
A member is exposed at their first recharge in the experiment's window for which the
campaign is live for them (its window, weekdays and segments), whatever their arm: the
holdout is exposed at the very point it would have been treated, so the arms compare like
with like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.rewards.rules.offers import Program, RechargeFacts, campaign_is_live
from shared.experiments import HOLDOUT, Arm, assign, check_arms
from shared.rule_violations import RuleViolation

PARAMETERS = {"campaign": frozenset({"bonus_bps"}), "renewal_price": frozenset({"price_bps"})}
RENEWAL_SUBJECT = "membership"  # a renewal-price experiment's subject id: the one membership


@dataclass(frozen=True)
class Experiment:
    experiment_id: str
    subject_kind: str  # "campaign" | "renewal_price" (applied by tiering)
    subject_id: str  # the campaign's offer id, or "membership"
    arms: tuple[Arm, ...]
    starts_at: datetime
    ends_at: datetime
    stopped_at: datetime | None = None

    @property
    def closes_at(self) -> datetime:
        """The end of its window: its planned end, or when ops stopped it if earlier."""
        return min(self.ends_at, self.stopped_at) if self.stopped_at else self.ends_at

    def running_at(self, at: datetime) -> bool:
        return self.starts_at <= at < self.closes_at


@dataclass(frozen=True)
class Exposure:
    experiment_id: str
    arm: str


def check_experiment(experiment: Experiment) -> None:
    """422 with a stable code for a definition the service cannot run."""
    check_arms(experiment.arms)
    if experiment.ends_at <= experiment.starts_at:
        raise RuleViolation("invalid_experiment_window", "ends_at must be after starts_at.")
    if experiment.subject_kind == "renewal_price" and experiment.subject_id != RENEWAL_SUBJECT:
        raise RuleViolation("invalid_experiment_subject",
                            f"A renewal-price experiment's subject_id is `{RENEWAL_SUBJECT}`.")
    allowed = PARAMETERS[experiment.subject_kind]
    for arm in experiment.arms:
        unknown = set(arm.parameters) - allowed
        if unknown:
            raise RuleViolation("invalid_experiment_arms",
                                f"A {experiment.subject_kind} arm takes only {sorted(allowed)}; "
                                f"{arm.name} has {sorted(unknown)}.")
        bps = arm.parameters.get("bonus_bps")
        if bps is not None and not 10_000 <= bps <= 100_000:
            raise RuleViolation("invalid_experiment_arms",
                                "bonus_bps is a campaign multiplier from 10000 (x1) to 100000.")


def same_definition(a: Experiment, b: Experiment) -> bool:
    """Whether a repeated definition asks for nothing new (so it is answered, not refused)."""
    return (a.subject_kind, a.subject_id, a.arms, a.starts_at, a.ends_at) == (
        b.subject_kind, b.subject_id, b.arms, b.starts_at, b.ends_at)


def apply_experiments(member_id: str, facts: RechargeFacts, program: Program,
                      experiments: Sequence[Experiment]) -> tuple[Program, tuple[Exposure, ...]]:
    """The program as this member's arms make it, and the experiments this recharge exposes
    them to (the caller keeps only the first exposure per experiment and member)."""
    exposures: list[Exposure] = []
    for experiment in experiments:
        if experiment.subject_kind != "campaign" or not experiment.running_at(facts.at):
            continue
        campaign = next((c for c in program.campaigns if c.offer_id == experiment.subject_id),
                        None)
        if campaign is None or not campaign_is_live(campaign, facts.at, facts.local_weekday,
                                                    facts.segments, facts.segment_ids):
            continue  # not eligible: neither treated nor, for the holdout, would have been
        arm = assign(experiment.experiment_id, member_id, experiment.arms)
        exposures.append(Exposure(experiment.experiment_id, arm.name))
        if arm.name == HOLDOUT:
            program = program.without_campaign(campaign.offer_id)
        elif "bonus_bps" in arm.parameters:
            varied = replace(campaign, bonus_bps=arm.parameters["bonus_bps"])
            program = replace(program, campaigns=tuple(
                varied if c.offer_id == campaign.offer_id else c for c in program.campaigns))
    return program, tuple(exposures)
