"""shared/experiments.py: stable buckets, contiguous arms by weight, refused definitions."""

from __future__ import annotations

from collections import Counter
from hashlib import sha256

import pytest

from shared.experiments import HOLDOUT, Arm, assign, bucket_of, check_arms
from shared.rule_violations import RuleViolation

ARMS = (Arm("a", 4_000, {"bonus_bps": 15_000}), Arm("b", 4_000), Arm(HOLDOUT, 2_000))


def test_bucket_is_the_first_eight_bytes_of_sha256_mod_10000() -> None:
    digest = sha256(b"exp-1:m-42").digest()
    assert bucket_of("exp-1", "m-42") == int.from_bytes(digest[:8], "big") % 10_000


def test_arms_own_contiguous_ranges_in_their_order() -> None:
    for member in (f"m-{n}" for n in range(500)):
        bucket = bucket_of("exp-1", member)
        expected = "a" if bucket < 4_000 else "b" if bucket < 8_000 else HOLDOUT
        assert assign("exp-1", member, ARMS).name == expected


def test_weights_are_respected_over_many_members() -> None:
    counts = Counter(assign("exp-2", f"m-{n}", ARMS).name for n in range(20_000))
    assert abs(counts["a"] / 20_000 - 0.4) < 0.02
    assert abs(counts[HOLDOUT] / 20_000 - 0.2) < 0.02


def test_the_experiment_id_reshuffles_members() -> None:
    first = [assign("exp-1", f"m-{n}", ARMS).name for n in range(200)]
    other = [assign("exp-9", f"m-{n}", ARMS).name for n in range(200)]
    assert first != other


@pytest.mark.parametrize("arms", [
    (Arm("a", 5_000), Arm(HOLDOUT, 4_000)),  # 9 000
    (Arm("a", 10_000, {}), Arm(HOLDOUT, 0)),  # a zero weight
    (Arm("a", 5_000), Arm("a", 5_000)),  # no holdout, names twice
    (Arm("a", 5_000), Arm("b", 5_000)),  # no holdout
    (Arm("a", 5_000), Arm(HOLDOUT, 5_000, {"bonus_bps": 20_000})),  # a treated holdout
    (Arm(HOLDOUT, 10_000),),  # nothing to compare
])
def test_refused_arms(arms: tuple[Arm, ...]) -> None:
    with pytest.raises(RuleViolation) as refused:
        check_arms(arms)
    assert refused.value.code == "invalid_experiment_arms"


def test_accepted_arms() -> None:
    check_arms(ARMS)
