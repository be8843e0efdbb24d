"""Campaigns in a simulation are charged as rewards charges them: a budget stops the
campaign before it pays more than it has, and `max_per_member` counts each member's uses."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from patronage.simulate.engine import simulate
from patronage.simulate.population import synthetic
from patronage.simulate.program_files import program_from_spec

START = datetime(2027, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
DOUBLE = {"offer_id": "double", "bonus_bps": 20_000, "starts_at": "2027-01-01T00:00:00+08:00"}


def campaign_cost(**limits) -> int:
    program = program_from_spec({"campaigns": [{**DOUBLE, **limits}]})
    outcome = simulate(program, synthetic(400, 11, 12), START)
    return outcome.bonus_by_offer["double"]


def test_a_budget_stops_the_campaign_before_it_pays_more_than_it_has():
    unlimited = campaign_cost()
    budget = unlimited // 3

    capped = campaign_cost(budget=budget)

    assert 0 < capped <= budget < unlimited


def test_max_per_member_counts_each_members_uses():
    once, twice, unlimited = (campaign_cost(max_per_member=n) for n in (1, 2, None))

    assert 0 < once < twice < unlimited
