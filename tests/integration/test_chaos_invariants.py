"""The chaos suite's checks can fail: each kind of damage planted in a migrated database is
reported, and a database with nothing wrong is clean. (The chaos run itself, tests/chaos,
only ever shows them passing.)"""

from __future__ import annotations

import uuid

import pytest

from patronage.chaos.client import Tally
from patronage.chaos.invariants import measure
from tests.support.runtime import fetch_all

pytestmark = pytest.mark.integration

RECHARGE = """INSERT INTO wallet.recharges (recharge_id, member_id, currency, amount, payment_method,
    payment_reference, store_id, channel, pos_reference, created_at)
    VALUES ($1, 'chaos-a', 'CNY', 10000, 'cash', $2, 'store_1', 'pos', $3, now())"""


async def test_nothing_acknowledged_and_nothing_there_is_clean(database_url):
    figures = await measure(database_url, Tally())
    assert figures.clean, figures
    assert figures.acknowledged == figures.effects_found == 0


async def test_a_lost_a_doubled_and_an_undecided_recharge_are_reported(database_url):
    tally = Tally(recharges={"chaos-a-r0": str(uuid.uuid4())})  # acknowledged, never stored
    for _ in range(2):  # one payment reference recharged twice
        await fetch_all(database_url, RECHARGE, uuid.uuid4(), "chaos-a-r1", str(uuid.uuid4()))

    figures = await measure(database_url, tally)

    assert not figures.clean
    assert figures.losses["acknowledged recharges not found"] == 1
    assert figures.duplicates["recharges per payment reference"] == 1
    assert figures.losses["recharges with no bonus decision"] == 2
    assert figures.stuck["recharges with bonus pending"] == 2
    assert figures.recharges == 2 and figures.decisions == 0


async def test_a_tier_measure_and_points_the_ledger_does_not_explain_are_reported(database_url):
    await fetch_all(database_url, RECHARGE, uuid.uuid4(), "chaos-a-r0", "chaos-a-r0")
    await fetch_all(database_url, """INSERT INTO tiering.members (member_id, member_number,
        channel, locale, tier, tier_since, review_at, enrolled_at)
        VALUES ('chaos-a', 'n-1', 'pos', 'zh-CN', 'regular', now(), now(), now())""")
    await fetch_all(database_url, """INSERT INTO tiering.spend_entries (member_id, measure,
        source_kind, source_id, amount, counted_at)
        VALUES ('chaos-a', 'lifetime_recharge', 'recharge', 'x', 20000, now())""")
    await fetch_all(database_url, "INSERT INTO rewards.points_accounts VALUES ('chaos-a', 7)")

    figures = await measure(database_url, Tally())

    assert figures.tier_mismatches == [
        "chaos-a: tiering regular spend/recharge 0/20000, ledger says regular 0/10000"]
    assert figures.points_mismatches == ["chaos-a: rewards 7 points, ledger says 0"]


async def test_a_balance_no_ledger_line_explains_fails_the_ledger_check(database_url):
    # (An unbalanced journal entry cannot even be written: a constraint trigger refuses it.)
    await fetch_all(database_url, "INSERT INTO wallet.wallets (member_id, currency, principal) "
                                  "VALUES ('chaos-a', 'CNY', 500)")

    figures = await measure(database_url, Tally())

    assert any("chaos-a" in problem for problem in figures.ledger_problems), figures.ledger_problems
    assert not figures.clean
