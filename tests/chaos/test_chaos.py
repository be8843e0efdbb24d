"""The chaos suite's short run (issue 14): the real stack, every service its own process,
a mixed load for about a minute and a half while every kind of fault comes at least once;
then the invariants. Marked `chaos`: the main run leaves it out (pyproject addopts) and
scripts/test runs it alone (`pytest -m chaos tests/chaos`). The long run is
`patronage chaos --minutes 30` (docs/operations.md, "Chaos runs")."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from patronage.chaos.faults import KINDS
from patronage.chaos.run import run_chaos

pytestmark = pytest.mark.chaos

SECONDS, SEED = 90.0, 14


async def test_a_short_chaos_run_loses_doubles_and_strands_nothing(capsys) -> None:
    # Not tmp_path: pytest sessions of the same user prune each other's old base temp dirs,
    # and this one holds the servers' data for minutes.
    with tempfile.TemporaryDirectory(prefix="chaos-") as work_dir, capsys.disabled():
        # the figures are printed on every run, passing or not
        outcome = await run_chaos(Path(work_dir), seconds=SECONDS, seed=SEED)
    figures, tally, faults = outcome.figures, outcome.tally, outcome.faults

    assert {kind for kind in KINDS if faults.injected[kind]} == set(KINDS)
    for kind in ("enrolment", "recharge", "purchase", "refund"):
        assert tally.acknowledged[kind] > 0, kind
    assert {"approve", "reject"} <= set(tally.reviews.values()), "no held bonus was both ways"
    assert figures.effects_found == figures.acknowledged
    assert figures.duplicates == dict.fromkeys(figures.duplicates, 0)
    assert figures.losses == dict.fromkeys(figures.losses, 0)
    assert figures.stuck == dict.fromkeys(figures.stuck, 0)
    # One decision per recharge; the wallet may hold more recharges than were acknowledged
    # (a request whose answer never came), never fewer.
    assert figures.recharges == figures.decisions >= tally.acknowledged["recharge"]
    assert figures.ledger_problems == []
    assert figures.tier_mismatches == []
    assert figures.points_mismatches == []
    assert faults.replayed > 0
    assert outcome.dead_lettered and outcome.poison_dead_lettered, outcome.dead_lettered
