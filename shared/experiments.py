"""Which variant of an experiment a member is in: one pure function every service shares.

A member's bucket is a stable hash of `experiment_id:member_id` (sha256, first 8 bytes, mod
10 000), so rewards and tiering place the same member in the same arm with no coordination
and no lookup, and a restart changes nothing. The arms own contiguous bucket ranges in the
order they were defined, each as wide as its weight in basis points; the weights sum to
10 000. Exactly one arm is the holdout (named `holdout`): the members who get no treatment,
the baseline every variant is compared with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256

from shared.rule_violations import RuleViolation

BUCKETS = 10_000
HOLDOUT = "holdout"


@dataclass(frozen=True)
class Arm:
    """A variant (or the holdout) with its share of members and its figures, e.g.
    `{"bonus_bps": 15000}` for a campaign or `{"price_bps": -1000}` for a renewal price."""

    name: str
    weight_bps: int
    parameters: Mapping[str, int] = field(default_factory=dict)


def bucket_of(experiment_id: str, member_id: str) -> int:
    digest = sha256(f"{experiment_id}:{member_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def assign(experiment_id: str, member_id: str, arms: Sequence[Arm]) -> Arm:
    """The arm whose bucket range holds the member's bucket."""
    bucket = bucket_of(experiment_id, member_id)
    upper = 0
    for arm in arms:
        upper += arm.weight_bps
        if bucket < upper:
            return arm
    raise ValueError("the arms' weights do not cover every bucket")  # check_arms refuses that


def check_arms(arms: Sequence[Arm]) -> None:
    """422 `invalid_experiment_arms` unless the weights are positive and sum to 10 000, the
    names are distinct and exactly one arm is the holdout (with no parameters)."""
    def refuse(detail: str) -> RuleViolation:
        return RuleViolation("invalid_experiment_arms", detail)

    if any(arm.weight_bps <= 0 for arm in arms):
        raise refuse("Every arm needs a positive weight in basis points.")
    if sum(arm.weight_bps for arm in arms) != BUCKETS:
        raise refuse(f"The arms' weights must sum to {BUCKETS} basis points.")
    if len({arm.name for arm in arms}) != len(arms):
        raise refuse("Arm names must be distinct.")
    holdouts = [arm for arm in arms if arm.name == HOLDOUT]
    if len(holdouts) != 1:
        raise refuse(f"Exactly one arm must be the `{HOLDOUT}`.")
    if holdouts[0].parameters:
        raise refuse("The holdout gets no treatment, so it takes no parameters.")
    if len(arms) < 2:
        raise refuse("An experiment needs at least one variant beside the holdout.")
